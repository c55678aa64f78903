import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, type ClickHouseClient, createClickHouse, importDimensions, migrate } from '@tillgate/hub';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRawTables, reportNow, writeDimensionFiles } from './bi-fixed-dataset.ts';
import { login, testAuth } from './dashboard-login.ts';

// POST /api/bi/refresh: how the bi_prep DAG refreshes the embedded chDB through the hub's process.
describe('POST /api/bi/refresh', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-route-'));
    clickhouse = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(clickhouse);
    await loadRawTables(clickhouse);
    await importDimensions(clickhouse, writeDimensionFiles(dir));
    app = buildApi({
      clickhouse,
      onlineWithinSeconds: 15,
      lag: async () => [],
      auth: await testAuth(dir),
      now: () => reportNow,
    });
  });

  afterAll(async () => {
    await app?.close();
    await clickhouse?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('ops runs the refresh and gets what it rebuilt; a second call meanwhile is 409', async () => {
    const headers = await login(app, 'ops');
    const [first, second] = await Promise.all([
      app.inject({ method: 'POST', url: '/api/bi/refresh', headers, payload: { inventoryDays: 8 } }),
      app.inject({ method: 'POST', url: '/api/bi/refresh', headers, payload: { inventoryDays: 8 } }),
    ]);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      dimensions: { stores: 3, unknownStores: 1, products: 5, unknownProducts: 1 },
      inventoryDays: [
        '2026-03-02',
        '2026-03-03',
        '2026-03-04',
        '2026-03-05',
        '2026-03-06',
        '2026-03-07',
        '2026-03-08',
        '2026-03-09',
      ],
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toBe('TG_HUB_BI_REFRESH_BUSY');
    const stock = await clickhouse.query({
      query: 'SELECT round(sum(stock_value), 2) AS v FROM fact_inventory WHERE date_key = 20260309',
      format: 'JSONEachRow',
    });
    expect(await stock.json()).toEqual([{ v: 27.5 }]);
  });

  it('a store manager is refused, and a bad body is a 400 naming the field', async () => {
    const manager = await login(app, 'manager-s1');
    expect((await app.inject({ method: 'POST', url: '/api/bi/refresh', headers: manager })).statusCode).toBe(403);
    const ops = await login(app, 'ops');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/bi/refresh',
      headers: ops,
      payload: { inventoryDays: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('inventoryDays');
  });
});
