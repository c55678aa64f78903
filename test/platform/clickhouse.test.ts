import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, type ClickHouseClientConfigOptions, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The embedded default of the hub: chDB (ClickHouse in-process) behind @clickhouse/client's
// `createClient({ connection })`, so hub code is the same for chDB and for a ClickHouse server.
// vitest runs test files in forked processes: chDB binds one data directory per process.
describe('ClickHouse through @clickhouse/client on chDB', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tillgate-chdb-'));
  let client: ClickHouseClient;
  // chDB and a server differ in this default (server quotes UInt64 in JSON); pinning it keeps the
  // same code correct on both.
  const open = (): ClickHouseClient =>
    createClient({
      // Nominal type skew only: chdb declares the interface from @clickhouse/client-common 1.23.0.
      connection: createChdbConnection({ path: dataDir }) as unknown as ClickHouseClientConfigOptions['connection'],
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });

  beforeAll(() => {
    client = open();
  });

  afterAll(async () => {
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a MergeTree table, inserts JSON rows and reads them back', async () => {
    await client.command({
      query: `CREATE TABLE platform_probe (store_id LowCardinality(String), sku String, quantity Int32,
              at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY (store_id, sku, at)`,
    });
    await client.insert({
      table: 'platform_probe',
      values: [
        { store_id: 's1', sku: 'SKU-1', quantity: 2, at: '2026-01-05 10:00:00.000' },
        { store_id: 's1', sku: 'SKU-2', quantity: 5, at: '2026-01-05 10:01:00.000' },
        { store_id: 's2', sku: 'SKU-1', quantity: 1, at: '2026-01-05 10:02:00.000' },
      ],
      format: 'JSONEachRow',
    });
    const result = await client.query({
      query: 'SELECT sku, sum(quantity) AS units FROM platform_probe GROUP BY sku ORDER BY sku',
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([
      { sku: 'SKU-1', units: '3' },
      { sku: 'SKU-2', units: '5' },
    ]);
  });

  it('binds query parameters server-side', async () => {
    const result = await client.query({
      query: 'SELECT count() AS n FROM platform_probe WHERE store_id = {store:String}',
      query_params: { store: 's1' },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ n: '2' }]);
  });

  it('keeps data in the data directory across a new connection in the same process', async () => {
    await client.close();
    client = open();
    const result = await client.query({ query: 'SELECT count() AS n FROM platform_probe', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ n: '3' }]);
  });
});
