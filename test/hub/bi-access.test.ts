import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClickHouseClient,
  createClickHouse,
  defaultBiRefresh,
  importDimensions,
  migrate,
  refreshBi,
  rowFilter,
} from '@tillgate/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRawTables, reportNow, writeDimensionFiles } from './bi-fixed-dataset.ts';

// Power BI service accounts: what chDB can show about their row filters and limits (the statements
// themselves: bi-access-statements.test.ts). chDB runs every query as `default`, so a row policy
// cannot take effect here; docs/powerbi/security.md lists what stays untested and why. Proven on
// the real engine: each account's row filter selects exactly its stores when applied as the server
// applies it (ANDed into the query), and the profile's readonly / result limits refuse what they must.

const accounts = [
  { user: 'bi_gateway_all', password_sha256_hex: 'a'.repeat(64), scope: 'all' as const },
  { user: 'bi_gateway_north', password_sha256_hex: 'b'.repeat(64), scope: 'region' as const, region: 'north' },
  { user: 'bi_store_s2', password_sha256_hex: 'c'.repeat(64), scope: 'store' as const, store_id: 's2' },
];

describe('Power BI service accounts on chDB', () => {
  let dir: string;
  let client: ClickHouseClient;
  let database: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-access-'));
    client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(client);
    await loadRawTables(client);
    await importDimensions(client, writeDimensionFiles(dir));
    await refreshBi(client, { now: reportNow, inventoryDays: 8, forecastDays: defaultBiRefresh.forecastDays });
    const [row] = await (await client.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' })).json<{
      db: string;
    }>();
    database = row?.db as string;
  });

  afterAll(async () => {
    await client?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("each account's row filter, ANDed into a query as the server does, keeps exactly its stores", async () => {
    const seen = async (account: (typeof accounts)[number]) => {
      const [sales] = await (
        await client.query({
          query: `SELECT round(sum(net_amount), 2) AS net FROM fact_sales WHERE ${rowFilter(account, 'fact_sales', database)}`,
          format: 'JSONEachRow',
        })
      ).json<{ net: number }>();
      const stores = await (
        await client.query({
          query: `SELECT store_id FROM dim_store WHERE ${rowFilter(account, 'dim_store', database)} ORDER BY store_id`,
          format: 'JSONEachRow',
        })
      ).json<{ store_id: string }>();
      const [inventory] = await (
        await client.query({
          query: `SELECT uniqExact(store_id) AS stores FROM fact_inventory WHERE ${rowFilter(account, 'fact_inventory', database)}`,
          format: 'JSONEachRow',
        })
      ).json<{ stores: string }>();
      return { net: sales?.net, stores: stores.map((row) => row.store_id), inventoryStores: inventory?.stores };
    };
    expect(await seen(accounts[0] as (typeof accounts)[number])).toEqual({
      net: 57,
      stores: ['s1', 's2', 's9'],
      inventoryStores: '3',
    });
    expect(await seen(accounts[1] as (typeof accounts)[number])).toEqual({
      net: 30.5,
      stores: ['s1'],
      inventoryStores: '1',
    });
    // s2: 2.50 on D1, 20.00 on D8.
    expect(await seen(accounts[2] as (typeof accounts)[number])).toEqual({
      net: 22.5,
      stores: ['s2'],
      inventoryStores: '1',
    });
  });

  it("the profile's readonly = 2 refuses writes and max_result_rows throws instead of truncating", async () => {
    const profile = { readonly: '2', max_result_rows: '2', result_overflow_mode: 'throw' } as const;
    await expect(
      client.command({
        query: "INSERT INTO bi_user_access VALUES ('x@chain.example', 'all', '', '')",
        clickhouse_settings: profile,
      }),
    ).rejects.toThrow(/readonly/i);
    await expect(
      client.query({ query: 'SELECT store_id FROM dim_store', format: 'JSONEachRow', clickhouse_settings: profile }),
    ).rejects.toThrow(/TOO_MANY_ROWS_OR_BYTES|Limit for result exceeded/);
    const ok = await client.query({
      query: 'SELECT count() AS n FROM fact_sales',
      format: 'JSONEachRow',
      clickhouse_settings: profile,
    });
    expect(await ok.json()).toEqual([{ n: '9' }]);
  });
});
