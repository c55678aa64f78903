import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubConfigSchema, type RunningHub, startHub } from '@tillgate/hub';
import type { ModelUpdateStatus } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { eventually } from '../edge/harness.ts';
import { type StoreUnderTest, startTraffic, type UpdaterBed, updaterBed } from '../edge/updater-kit.ts';
import { testAuth, testPassword } from './dashboard-login.ts';
import { type ApiClient, apiLogin } from './rollout-api-client.ts';

// Issue 10 end to end: a hub (real Kafka, chDB, the API on a port, the rollout controller) rolls a
// signed release out to 3 in-process edge agents, each behind its own WAN proxies (Kafka, S3), in
// 2 waves (1 store, then the rest), with a 1.5 s shadow and a 2 s wave gate (test settings).

interface Store {
  store: StoreUnderTest;
  agent: RunningAgent;
  states: string[];
}

describe('staged model rollout', () => {
  let bed: UpdaterBed;
  let hub: RunningHub;
  let api: ApiClient;
  let dir: string;
  const stores: Store[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    bed = await updaterBed('rollout');
    dir = mkdtempSync(join(tmpdir(), 'tillgate-rollout-hub-'));
    await testAuth(dir);
    const config = hubConfigSchema.parse({
      kafka: { brokers: [...localStack.kafka.brokers], clientId: 'tillgate-hub-test', logLevel: 'error' },
      topicPrefix: bed.bed.topicPrefix,
      topics: { partitions: 1, replicationFactor: 1 },
      clickhouse: { dataPath: join(dir, 'chdb') },
      ingest: {
        groupId: `${bed.bed.topicPrefix}clickhouse`,
        minBatchBytes: 1,
        maxWaitMs: 50,
        sessionTimeoutMs: 30_000,
      },
      api: { port: 0, auth: { usersFile: join(dir, 'users.json'), sessionKeyFile: join(dir, 'session.key') } },
      rollouts: { bucket: bed.bucket, tickMs: 250 },
      logLevel: 'error',
    });
    hub = await startHub(config, { clickhouse: true, lake: false, api: true });
    stops.push(() => hub.stop());
    api = await apiLogin(hub.apiUrl as string, 'ops', testPassword);
    for (const name of ['s-a', 's-b', 's-c']) {
      const store = await bed.store(name);
      const agent = await startAgent(store.config);
      const traffic = await startTraffic(agent.mqttPort ?? 0, store.storeId);
      const entry: Store = { store, agent, states: [] };
      // Every state the updater passes through, to show the swap came after the shadow.
      const watcher = setInterval(() => {
        const state = (agent.status().model_update as ModelUpdateStatus).state;
        if (entry.states.at(-1) !== state) entry.states.push(state);
      }, 20);
      // Run in reverse: the watcher stops first, the agent last.
      stops.push(
        () => agent.stop(),
        () => traffic.stop(),
        async () => clearInterval(watcher),
      );
      stores.push(entry);
    }
    // Every store is known to the hub (its heartbeat reached ClickHouse) before a rollout targets it.
    await eventually(async () => {
      const fleet = await api.get('/api/fleet');
      expect(fleet.status, JSON.stringify(fleet.body)).toBe(200);
      expect((fleet.body.stores as unknown[]).length).toBe(3);
    }, 120_000);
  }, 240_000);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await bed?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (version: string) =>
    api.post('/api/rollouts', {
      model: 'tiny-stockout',
      version,
      key_id: bed.signer.pin.id,
      target: { stores: stores.map((s) => s.store.storeId) },
      waves: [{ stores: 1 }, { share: 1 }],
      gate_seconds: 2,
      failure_threshold: 0.2,
      swap: 'now',
      shadow_ms: 1_500,
    });

  it('rolls a release out in 2 waves, each store swapping only after its shadow, and reports the time to all active', async () => {
    await bed.upload(bed.release('0.5.0'));
    const created = await create('0.5.0');
    expect(created.status).toBe(201);
    const id = created.body.rollout_id as string;
    const view = await eventually(async () => {
      const current = await api.get(`/api/rollouts/${id}`);
      expect((current.body.rollout as { status: string }).status, JSON.stringify(current.body)).toBe('completed');
      return current.body;
    }, 200_000);
    const steps = view.steps as { step: string; store_id: string; outcome: string; wave: number }[];
    const first = stores[0]?.store.storeId as string;
    // Wave 2 was assigned only after wave 1's store was active and the gate passed.
    const index = (predicate: (s: (typeof steps)[number]) => boolean) => steps.findIndex(predicate);
    const firstActive = index((s) => s.step === 'store_outcome' && s.store_id === first && s.outcome === 'active');
    const gate = index((s) => s.step === 'wave_passed');
    const secondWave = index((s) => s.step === 'assigned' && s.store_id !== first);
    expect(firstActive).toBeGreaterThanOrEqual(0);
    expect(gate).toBeGreaterThan(firstActive);
    expect(secondWave).toBeGreaterThan(gate);
    for (const { agent, states } of stores) {
      expect(agent.status().model?.version).toBe('0.5.0');
      expect(states.indexOf('shadowing')).toBeGreaterThanOrEqual(0);
      expect(states.lastIndexOf('active')).toBeGreaterThan(states.indexOf('shadowing'));
    }
    const fleet = await eventually(async () => {
      const current = await api.get('/api/fleet');
      const rows = current.body.stores as {
        modelVersion: string;
        candidate: { state: string } | null;
        lastRolloutStep: unknown;
      }[];
      expect(rows.map((row) => row.modelVersion)).toEqual(['0.5.0', '0.5.0', '0.5.0']);
      return rows;
    }, 30_000);
    expect(fleet.every((row) => row.candidate?.state === 'active' && row.lastRolloutStep !== null)).toBe(true);
    expect(view.release_to_all_active_seconds).toBeGreaterThan(0);
    console.info(
      `rollout ${id}: release -> all 3 stores active in ${view.release_to_all_active_seconds} s (2 waves, 1.5 s shadow, 2 s gate)`,
    );
  }, 240_000);

  it('stops by itself before the next wave when the first store rejects the release, with the reason on the hub', async () => {
    await bed.upload(bed.release('0.6.0', { slope: Number.NaN }));
    const created = await create('0.6.0');
    const id = created.body.rollout_id as string;
    const view = await eventually(async () => {
      const current = await api.get(`/api/rollouts/${id}`);
      expect((current.body.rollout as { status: string }).status, JSON.stringify(current.body)).toBe('stopped');
      return current.body;
    }, 60_000);
    const reported = view.stores as { store_id: string; outcome: string; reason: string; state: string }[];
    expect(reported[0]).toMatchObject({
      outcome: 'failed',
      state: 'rejected',
      reason: expect.stringMatching(/SHADOW_FAILED/),
    });
    expect(reported.slice(1).map((s) => s.state)).toEqual(['not_assigned', 'not_assigned']);
    for (const { agent } of stores) expect(agent.status().model?.version).toBe('0.5.0');
    const fleet = await api.get(`/api/fleet?store=${stores[0]?.store.storeId}`);
    expect((fleet.body.stores as { candidate: { reason: string } }[])[0]?.candidate.reason).toMatch(/NaN/);
  }, 240_000);

  it('holds the next wave while a store alerts above its own history since the swap', async () => {
    // Two more stores. On the first the edge's own alert-rate checks are switched off (limits of 1), so
    // only the hub's gate stands between a model that alerts on every SKU and the second wave.
    const extra: StoreUnderTest[] = [];
    const loose = { maxAlertRate: 1, maxAlertRateSlack: 1, maxMeanShift: 1 };
    for (const [name, shadow] of [
      ['s-loud', loose],
      ['s-next', {}],
    ] as const) {
      const store = await bed.store(name, {
        updater: { shadowMs: 1_000, watchMs: 2_000, shadow: { minRows: 10, ...shadow } },
      });
      const agent = await startAgent(store.config);
      const traffic = await startTraffic(agent.mqttPort ?? 0, store.storeId);
      stops.push(
        () => agent.stop(),
        () => traffic.stop(),
      );
      extra.push(store);
    }
    const [loud, next] = extra.map((store) => store.storeId) as [string, string];
    // Their own history: sales reached ClickHouse while the old model raised nothing.
    await eventually(async () => {
      const fleet = await api.get('/api/fleet');
      const known = (fleet.body.stores as { storeId: string }[]).map((row) => row.storeId);
      expect(known).toEqual(expect.arrayContaining([loud, next]));
    }, 120_000);
    await bed.upload(bed.release('0.7.0', { slope: 0, intercept: 10 }));
    const created = await api.post('/api/rollouts', {
      model: 'tiny-stockout',
      version: '0.7.0',
      key_id: bed.signer.pin.id,
      target: { stores: [loud, next] },
      waves: [{ stores: 1 }, { share: 1 }],
      gate_seconds: 1,
      alert_rate: { history_hours: 1, max_ratio: 3, min_alerts: 3, min_sales: 20 },
      swap: 'now',
      shadow_ms: 1_000,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.rollout_id as string;
    type View = { steps: { step: string; store_id: string; outcome: string; detail: string }[]; stores: unknown[] };
    const view = await eventually(async () => {
      const current = (await api.get(`/api/rollouts/${id}`)).body as unknown as View;
      const step = current.steps.find((s) => s.step === 'alert_rate' && s.store_id === loud);
      expect(step?.outcome, JSON.stringify(current)).toBe('out_of_bounds');
      return current;
    }, 120_000);
    const step = view.steps.find((s) => s.step === 'alert_rate') as { detail: string };
    expect(step.detail).toMatch(/alerts on \d+ sale lines since the swap .* above 3x its 0\.00\/1,000/);
    expect(view.stores[0]).toMatchObject({ store_id: loud, outcome: 'active', alert_rate: { kind: 'out_of_bounds' } });
    // Held: many gate periods later the second store is still not assigned and the rollout still runs.
    const polls = Date.now();
    await eventually(async () => {
      const current = (await api.get(`/api/rollouts/${id}`)).body as unknown as View & { rollout: { status: string } };
      expect(current.rollout.status).toBe('running');
      expect(
        current.steps.some((s) => s.step === 'wave_passed' || (s.step === 'assigned' && s.store_id === next)),
      ).toBe(false);
      if (Date.now() - polls < 5_000) throw new Error('keep watching');
    }, 30_000);
    expect((await api.post(`/api/rollouts/${id}/abort`, {})).status).toBe(200);
  }, 240_000);

  it('refuses a rollout of a release the registry does not hold, and state changes without a CSRF token', async () => {
    const missing = await create('9.9.9');
    expect(missing).toMatchObject({ status: 409, body: { error: 'TG_HUB_ROLLOUT' } });
    const noCsrf = await fetch(`${hub.apiUrl}/api/rollouts`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(noCsrf.status).toBe(401);
  });
});
