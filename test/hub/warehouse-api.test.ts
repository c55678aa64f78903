import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, type ClickHouseClient, createClickHouse, migrate } from '@tillgate/hub';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAuth } from './dashboard-login.ts';

// The Airflow DAGs' path to the hub's embedded ClickHouse: read-only queries and per-run replacement of
// a whitelisted table's rows. Real chDB, the app driven with inject().
const token = 'test-warehouse-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

const dqRow = (runId: string, store: string, hour: string, status: 'ok' | 'failed') => ({
  check_hour: hour,
  check_name: 'silent_store',
  store_id: store,
  status,
  value: status === 'ok' ? 0 : 1,
  threshold: 0,
  detail: `${store} ${status}`,
  run_id: runId,
  checked_at: new Date().toISOString().replace('T', ' ').replace('Z', ''),
});

describe('warehouse API', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let app: FastifyInstance;

  const rows = async () =>
    (
      await app.inject({
        method: 'POST',
        url: '/warehouse/query',
        headers: auth,
        payload: {
          sql: 'SELECT run_id, store_id, toString(check_hour) AS hour FROM dq_results ORDER BY hour, store_id',
        },
      })
    ).json().rows;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-warehouse-'));
    clickhouse = createClickHouse({ dataPath: join(dir, 'chdb'), username: 'default', password: '' });
    await migrate(clickhouse);
    app = buildApi({
      clickhouse,
      lag: async () => [],
      onlineWithinSeconds: 60,
      auth: await testAuth(dir),
      warehouseToken: token,
    });
  });

  afterAll(async () => {
    await app?.close();
    await clickhouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a request without the bearer token, and a dashboard session is no substitute', async () => {
    const response = await app.inject({ method: 'POST', url: '/warehouse/query', payload: { sql: 'SELECT 1' } });
    const wrong = await app.inject({
      method: 'POST',
      url: '/warehouse/query',
      headers: { authorization: 'Bearer not-the-token' },
      payload: { sql: 'SELECT 1' },
    });

    expect(response.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
  });

  it('answers a parameterised query', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/warehouse/query',
      headers: auth,
      payload: { sql: 'SELECT {n:UInt8} + 1 AS answer', params: { n: 41 } },
    });

    expect(response.json()).toEqual({ rows: [{ answer: 42 }] });
  });

  it('refuses a write through the query route', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/warehouse/query',
      headers: auth,
      payload: { sql: "INSERT INTO dq_results (check_name) VALUES ('x')" },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(/only a SELECT/);
    expect(await rows()).toEqual([]);
  });

  it('replaces one key of a run and leaves other keys alone', async () => {
    const replace = (runId: string, hour: string, stores: string[]) =>
      app.inject({
        method: 'POST',
        url: '/warehouse/replace',
        headers: auth,
        payload: {
          table: 'dq_results',
          run_id: runId,
          key: { check_hour: hour, check_name: 'silent_store' },
          rows: stores.map((store) => dqRow(runId, store, hour, 'ok')),
        },
      });

    const first = await replace('run-10-a', '2026-03-05 10:00:00', ['s1', 's2']);
    expect(first.json()).toMatchObject({ inserted: 2 });
    expect((await replace('run-11', '2026-03-05 11:00:00', ['s1'])).statusCode).toBe(200);
    // Re-running hour 10 replaces its rows, with one store fewer this time.
    expect((await replace('run-10-b', '2026-03-05 10:00:00', ['s2'])).json()).toEqual({
      table: 'dq_results',
      run_id: 'run-10-b',
      inserted: 1,
    });

    expect(await rows()).toEqual([
      { run_id: 'run-10-b', store_id: 's2', hour: '2026-03-05 10:00:00' },
      { run_id: 'run-11', store_id: 's1', hour: '2026-03-05 11:00:00' },
    ]);
  });

  it.each([
    ['a table outside the whitelist', { table: 'sales_lines' }, /table/],
    ['a key column the table is not replaced by', { key: { store_id: 's1' } }, /replaced by key columns/],
    ['a row of another run', { rows: [dqRow('other-run', 's9', '2026-03-05 09:00:00', 'ok')] }, /rows\[0\]/],
  ])('refuses %s and writes nothing', async (_what, change, message) => {
    const before = await rows();
    const response = await app.inject({
      method: 'POST',
      url: '/warehouse/replace',
      headers: auth,
      payload: {
        table: 'dq_results',
        run_id: 'run-9',
        key: { check_hour: '2026-03-05 09:00:00', check_name: 'silent_store' },
        rows: [dqRow('run-9', 's9', '2026-03-05 09:00:00', 'ok')],
        ...change,
      },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatch(message);
    expect(await rows()).toEqual(before);
  });

  it('runs the Power BI refresh as of the time it is given, and refuses a body without one', async () => {
    const refresh = (payload: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/warehouse/bi-refresh', headers: auth, payload });

    const response = await refresh({ now: '2026-03-05T12:00:00.000Z' });
    const bad = await refresh({});

    expect(response.statusCode).toBe(200);
    expect(response.json().inventoryDays).toEqual(['2026-03-04', '2026-03-05']);
    expect(bad.statusCode).toBe(400);
  });
});
