import { type AuthOptions, buildApi, createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import type { Alert, Heartbeat } from '@tillgate/shared';
import { kafkaTopics } from '@tillgate/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoggedIn, login, testAuth } from './dashboard-login.ts';
import { type HubTestEnv, hubTestEnv, produce, waitForCaughtUp } from './hub-test-kit.ts';

// Fleet state from heartbeats, alerts and consumer lag through the HTTP API the dashboard uses; real
// Kafka and chDB, the app driven with inject() (no port), logged in as the dashboard would be.
const now = new Date('2026-03-05T12:00:00.000Z');
const beat = (store: string, sentAt: string, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  schema: 1,
  store_id: store,
  agent_version: '1.0.0',
  sent_at: sentAt,
  started_at: '2026-03-05T08:00:00.000Z',
  backlog_events: 0,
  oldest_unsent_at: null,
  last_forward_at: sentAt,
  model_name: 'stockout',
  model_version: '3',
  disk_used_bytes: 1_000,
  rejects_total: 0,
  alerts_open: 0,
  ...extra,
});

const alert: Alert = {
  schema: 1,
  alert_id: 'al-1',
  store_id: 's1',
  sku: 'ALPHA',
  state: 'raised',
  kind: 'hidden_empty',
  why: 'no sale for 9 h where it sells about 30 a day, yet the books show 2: check the shelf',
  risk: 0.91,
  threshold: 0.7,
  on_hand: 2,
  model_name: 'stockout',
  model_version: '3',
  trigger_event_id: 'e1',
  at: '2026-03-05T11:59:00.000Z',
};

describe('fleet API', () => {
  let env: HubTestEnv;
  let hub: RunningHub;
  let auth: AuthOptions;

  beforeAll(async () => {
    env = hubTestEnv();
    auth = await testAuth(env.dir);
    hub = await startHub(env.config, { clickhouse: true, lake: false, api: false });
    const heartbeats = env.names.full(kafkaTopics.edgeHeartbeats);
    const record = (value: unknown, key: string) => ({ topic: heartbeats, key, value: JSON.stringify(value) });
    await produce(
      env,
      [],
      [
        record(beat('s1', '2026-03-05T11:59:30.000Z', { backlog_events: 7, model_version: '2' }), 's1'),
        // Newer heartbeat of s1 first in time order, older one replayed after it: the newest still wins.
        record(
          beat('s1', '2026-03-05T11:59:50.000Z', { backlog_events: 3, oldest_unsent_at: '2026-03-05T11:59:40.000Z' }),
          's1',
        ),
        record(beat('s1', '2026-03-05T11:59:30.000Z', { backlog_events: 7, model_version: '2' }), 's1'),
        record(beat('s2', '2026-03-05T11:40:00.000Z', { agent_version: '0.9.0' }), 's2'),
        { topic: env.names.full(kafkaTopics.restockAlerts), key: 's1', value: JSON.stringify(alert) },
      ],
    );
    await waitForCaughtUp(env, 'clickhouse');
  });

  afterAll(async () => {
    await hub?.stop();
    await env?.cleanup();
  });

  const app = () =>
    buildApi({
      clickhouse: createClickHouse(env.config.clickhouse),
      onlineWithinSeconds: 60,
      now: () => now,
      lag: async () => [{ groupId: 'g', totalLag: 0, partitions: [] }],
      auth,
    });
  const get = async (api: ReturnType<typeof app>, url: string, as: LoggedIn) =>
    api.inject({ method: 'GET', url, headers: as });

  it('GET /api/fleet: latest heartbeat per store, online within the window', async () => {
    const api = app();
    const response = await get(api, '/api/fleet', await login(api, 'ops'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      at: now.toISOString(),
      onlineWithinSeconds: 60,
      online: 1,
      stores: [
        {
          storeId: 's1',
          online: true,
          lastSeenAt: '2026-03-05T11:59:50.000Z',
          secondsSinceLastSeen: 10,
          agentVersion: '1.0.0',
          modelName: 'stockout',
          modelVersion: '3',
          backlogEvents: 3,
          oldestUnsentAt: '2026-03-05T11:59:40.000Z',
          alertsOpen: 0,
          rejectsTotal: 0,
          // Gap detection (issue 14): this heartbeat has no sequence_gaps (an agent before it).
          sequenceGaps: null,
          flags: [],
          dataQuality: { failing: [] },
          // The model-rollout columns (issue 10): this agent reports no updater state.
          candidate: null,
          lastRolloutStep: null,
        },
        expect.objectContaining({ storeId: 's2', online: false, agentVersion: '0.9.0', secondsSinceLastSeen: 1200 }),
      ],
    });
  });

  it("GET /api/fleet: a store's failing data-quality checks from each check's latest hour", async () => {
    const clickhouse = createClickHouse(env.config.clickhouse);
    const checkedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const row = (hour: string, store: string, status: 'ok' | 'failed') => ({
      check_hour: hour,
      check_name: 'silent_store',
      store_id: store,
      status,
      value: 0,
      threshold: 0,
      detail: `${store} sent no heartbeat`,
      run_id: hour,
      checked_at: checkedAt,
    });
    // s1 failed at 10:00 and recovered at 11:00; s2 fails at 11:00.
    await clickhouse.insert({
      table: 'dq_results',
      values: [
        row('2026-03-05 10:00:00', 's1', 'failed'),
        row('2026-03-05 11:00:00', 's1', 'ok'),
        row('2026-03-05 11:00:00', 's2', 'failed'),
      ],
      format: 'JSONEachRow',
    });

    const api = app();
    const stores = (await get(api, '/api/fleet', await login(api, 'ops'))).json().stores;

    expect(stores.map((store: { dataQuality: unknown }) => store.dataQuality)).toEqual([
      { failing: [] },
      {
        failing: [{ check: 'silent_store', checkHour: '2026-03-05T11:00:00Z', detail: 's2 sent no heartbeat' }],
      },
    ]);
    await clickhouse.command({ query: 'TRUNCATE TABLE dq_results' });
  });

  it('a store manager sees only their store in /api/fleet', async () => {
    const api = app();
    const manager = await login(api, 'manager-s1');
    const own = await get(api, '/api/fleet', manager);
    expect(own.json().stores.map((store: { storeId: string }) => store.storeId)).toEqual(['s1']);
    expect((await get(api, '/api/fleet?store=s2', manager)).statusCode).toBe(403);
  });

  it('GET /api/alerts: recent alerts, filterable by store', async () => {
    const api = app();
    const ops = await login(api, 'ops');
    const all = await get(api, '/api/alerts', ops);
    // The hub keeps what the alert told staff: its kind and its evidence in words.
    expect(all.json().alerts).toEqual([
      expect.objectContaining({ alert_id: 'al-1', store_id: 's1', sku: 'ALPHA', kind: alert.kind, why: alert.why }),
    ]);
    const other = await get(api, '/api/alerts?store=s2', ops);
    expect(other.json().alerts).toEqual([]);
    const bad = await get(api, '/api/alerts?limit=0', ops);
    expect(bad.statusCode).toBe(400);
  });

  it('GET /api/lag (not for store managers) and /health (no login)', async () => {
    const api = app();
    expect((await get(api, '/api/lag', await login(api, 'admin'))).json()).toEqual({
      groups: [{ groupId: 'g', totalLag: 0, partitions: [] }],
    });
    expect((await get(api, '/api/lag', await login(api, 'manager-s1'))).statusCode).toBe(403);
    expect((await api.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
  });
});
