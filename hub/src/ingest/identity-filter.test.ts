import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseClient, createClickHouse } from '../clickhouse.ts';
import { migrate } from '../migrate.ts';
import { withoutKnownIdentities } from './identity-filter.ts';
import type { Row } from './table-rows.ts';

// The dedupe gate on real chDB with the real schema.
const scan = (id: string, offset: number, store = 's1'): Row => ({
  event_id: id,
  store_id: store,
  terminal_id: 'pos-1',
  terminal_seq: offset,
  occurred_at: '2026-03-01 10:00:00.000',
  received_at: '2026-03-01 10:00:00.000',
  sku: 'ALPHA',
  purpose: 'lookup',
  kafka_partition: 0,
  kafka_offset: String(offset),
  ingested_at: '2026-03-01 10:00:00.000',
});

describe('withoutKnownIdentities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-identity-'));
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = createClickHouse({ username: 'default', password: '', dataPath: join(dir, 'chdb') });
    await migrate(client);
    await client.insert({
      table: 'product_scans',
      values: [scan('old-1', 1), scan('old-2', 2)],
      format: 'JSONEachRow',
    });
  });

  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops events already stored and later copies within the batch', async () => {
    const fresh = await withoutKnownIdentities(client, 'product_scans', [
      scan('old-1', 10),
      scan('new-1', 11),
      scan('new-1', 12),
      scan('new-2', 13, 's2'),
    ]);
    expect(fresh.map((row) => `${row.event_id}@${row.kafka_offset}`)).toEqual(['new-1@11', 'new-2@13']);
  });

  // Regression: one group-committed write carried 40,000 ids, more SQL than max_query_size (256 KiB),
  // and every lookup failed.
  it('looks up more ids than fit in one query', async () => {
    const many = Array.from({ length: 30_000 }, (_, i) => scan(`event-with-a-long-identifier-${i}`, 100 + i));
    await client.insert({ table: 'product_scans', values: many.slice(0, 10), format: 'JSONEachRow' });
    const fresh = await withoutKnownIdentities(client, 'product_scans', many);
    expect(fresh).toHaveLength(30_000 - 10);
  });
});
