import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Heartbeat, kafkaTopics, type ModelUpdateStatus } from '@tillgate/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { eventually } from './harness.ts';
import { testSigningKey, tinyRelease } from './tiny-onnx-model.ts';
import { type StoreUnderTest, startTraffic, type UpdaterBed, updaterBed } from './updater-kit.ts';

// Issue 10, edge side, on real Kafka (orders on model-rollouts through the store's WAN proxy), real
// s3proxy (presigned download through another WAN proxy) and in-process agents with onnxruntime.
// Shadow periods are 1 s and the post-swap watch 2 s (config), so the file runs in well under a minute.

const update = (agent: RunningAgent): ModelUpdateStatus => agent.status().model_update as ModelUpdateStatus;

async function running(bed: UpdaterBed, name: string, overrides: Parameters<UpdaterBed['store']>[1] = {}) {
  const store = await bed.store(name, overrides);
  const agent = await startAgent(store.config);
  const traffic = await startTraffic(agent.mqttPort ?? 0, store.storeId);
  return { store, agent, traffic };
}

describe('edge model updater', () => {
  let bed: UpdaterBed;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    bed = await updaterBed('updater');
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await bed?.cleanup();
  });

  const track = (run: Awaited<ReturnType<typeof running>>) => {
    stops.push(
      () => run.agent.stop(),
      () => run.traffic.stop(),
    );
    return run;
  };

  it('shadows a signed release on live traffic, then swaps it in and reports it in the heartbeat', async () => {
    const { store, agent } = track(await running(bed, 'happy'));
    const release = bed.release('0.0.2', { intercept: 1.5 });
    const assignment = await bed.assign(store, release);
    const seen = new Set<string>();
    await eventually(() => {
      seen.add(update(agent).state);
      expect(update(agent)).toMatchObject({ state: 'active', version: '0.0.2', rollout_id: assignment.rollout_id });
    }, 30_000);
    expect(seen.has('shadowing')).toBe(true);
    expect(agent.status().model).toEqual({ name: 'tiny-stockout', version: '0.0.2' });
    // The previous version stays on disk for rollback; the new one is installed beside it.
    expect(existsSync(join(store.config.dataDir, 'models', 'tiny-stockout', '0.0.2', 'model.onnx'))).toBe(true);
    const beats = await bed.bed.consume(kafkaTopics.edgeHeartbeats, (records) =>
      records.some((r) => {
        const beat = JSON.parse(r.value) as Heartbeat;
        return (
          beat.store_id === store.storeId && beat.model_version === '0.0.2' && beat.model_update?.state === 'active'
        );
      }),
    );
    expect(beats.length).toBeGreaterThan(0);
  });

  it('refuses bad releases with the reason in status and heartbeat while the old model keeps scoring', async () => {
    const stranger = testSigningKey(bed.bed.dataDir, 'stranger');
    const cases: { name: string; expect: RegExp; send(store: StoreUnderTest): Promise<unknown> }[] = [
      {
        name: 'tampered',
        expect: /TG_EDGE_UPDATE_HASH_MISMATCH/,
        send: async (store) => {
          const release = bed.release('0.0.3');
          const tampered = Uint8Array.from(release.model);
          tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff;
          await bed.upload(release, tampered);
          return bed.assign(store, release);
        },
      },
      {
        name: 'untrusted',
        expect: /TG_EDGE_UPDATE_UNTRUSTED_KEY/,
        send: (store) => bed.assign(store, tinyRelease('0.0.4', stranger.privateKey), { key_id: stranger.pin.id }),
      },
      {
        name: 'featurespec',
        expect: /TG_EDGE_UPDATE_FEATURE_SPEC_MISMATCH/,
        send: (store) => bed.assign(store, bed.release('0.0.5', { featureSpecHash: 'f'.repeat(64) })),
      },
      {
        name: 'older',
        expect: /TG_EDGE_UPDATE_NOT_NEWER/,
        send: (store) => bed.assign(store, bed.release('0.0.0')),
      },
      {
        name: 'truncated',
        expect: /TG_EDGE_UPDATE_TRUNCATED/,
        send: async (store) => {
          const release = bed.release('0.0.6');
          await bed.upload(release, release.model.subarray(0, Math.floor(release.model.length / 2)));
          return bed.assign(store, release);
        },
      },
    ];
    const rejected = await Promise.all(
      cases.map(async (testCase) => {
        const { store, agent } = track(await running(bed, testCase.name));
        await testCase.send(store);
        await eventually(() => {
          expect(update(agent).state).toBe('rejected');
          expect(update(agent).reason).toMatch(testCase.expect);
        }, 30_000);
        expect(agent.status().model?.version).toBe('0.0.1-test');
        // Still scoring with the old model: rows keep being scored after the refusal.
        const before = agent.status().intake.stored;
        await eventually(() => expect(agent.status().intake.stored).toBeGreaterThan(before + 5));
        await agent.alertsIdle();
        const models = join(store.config.dataDir, 'models');
        expect(existsSync(models) ? readdirSync(models).filter((d) => d !== '.staging') : []).toEqual([]);
        return store.storeId;
      }),
    );
    // The same reason travels in the heartbeat, which is how the hub learns it.
    await bed.bed.consume(kafkaTopics.edgeHeartbeats, (records) => {
      const reported = new Set(
        records
          .map((record) => JSON.parse(record.value) as Heartbeat)
          .filter(
            (beat) =>
              beat.model_update?.state === 'rejected' && beat.model_update.reason?.startsWith('TG_EDGE_UPDATE_'),
          )
          .map((beat) => beat.store_id),
      );
      return rejected.every((storeId) => reported.has(storeId));
    });
  });

  it('rejects in shadow a model that alerts on every SKU, and one that returns NaN', async () => {
    await Promise.all(
      [
        { name: 'everysku', version: '0.1.0', options: { slope: 0, intercept: 10 }, expect: /would alert on 100.0 %/ },
        { name: 'nan', version: '0.1.1', options: { slope: Number.NaN }, expect: /NaN/ },
      ].map(async (testCase) => {
        const { store, agent } = track(await running(bed, testCase.name));
        await bed.assign(store, bed.release(testCase.version, testCase.options));
        await eventually(() => {
          expect(update(agent)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(testCase.expect) });
        }, 30_000);
        expect(update(agent).reason).toMatch(/TG_EDGE_UPDATE_SHADOW_FAILED/);
        expect(agent.status().model?.version).toBe('0.0.1-test');
      }),
    );
  });

  it('rolls back automatically when a model swapped in without shadow fails at scoring or alerts on every SKU', async () => {
    await Promise.all(
      [
        { name: 'rb-nan', version: '0.2.0', options: { slope: Number.NaN }, expect: /SCORING_FAILED/, maxAlerts: 0 },
        // Without a shadow the watch needs minRows (10) scored rows to judge a rate, so a few alerts
        // can fire first; a shadow (the default) rejects such a model before it ever alerts.
        {
          name: 'rb-every',
          version: '0.2.1',
          options: { slope: 0, intercept: 10 },
          expect: /ALERT_RATE_EXPLODED/,
          maxAlerts: 10,
        },
      ].map(async (testCase) => {
        const { store, agent } = track(await running(bed, testCase.name));
        await bed.assign(store, bed.release(testCase.version, testCase.options), { shadow_ms: 0 });
        await eventually(() => {
          expect(update(agent)).toMatchObject({ state: 'rolled_back', reason: expect.stringMatching(testCase.expect) });
        }, 30_000);
        expect(agent.status().model?.version).toBe('0.0.1-test');
        // A NaN batch is re-scored by the previous model at once, so it raises no alert.
        expect(agent.status().alerts_open).toBeLessThanOrEqual(testCase.maxAlerts);
      }),
    );
  });

  it('resumes a download cut by the WAN after the link is restored, installing only the signed bytes', async () => {
    const { store, agent } = track(await running(bed, 'wancut'));
    // 24 MiB of padding in the model's doc_string so the transfer takes long enough to be cut mid-way.
    const release = bed.release('0.3.0', { padBytes: 24 * 1024 * 1024 });
    await bed.upload(release);
    const part = join(store.config.dataDir, 'models', '.staging', 'tiny-stockout-0.3.0', 'model.onnx.part');
    void bed.assign(store, release);
    await eventually(() => {
      if (!existsSync(part) || readdirSync(join(part, '..')).length === 0) throw new Error('not started');
      store.s3Link.cut('reset');
    }, 30_000);
    expect(update(agent).state).toBe('downloading');
    const down = store.s3Link.status().bytesDown;
    expect(down).toBeLessThan(release.model.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(update(agent).state).toBe('downloading');
    store.s3Link.restore();
    await eventually(() => expect(update(agent)).toMatchObject({ state: 'active', version: '0.3.0' }), 60_000);
    // Resumed, not restarted: the bytes across the link add up to about one model, not two.
    expect(store.s3Link.status().bytesDown).toBeLessThan(release.model.length * 1.5);
  });

  it('waits for the store swap window, and swaps at once when the rollout says now', async () => {
    const now = new Date();
    const hour = (offset: number) => `${String((now.getUTCHours() + offset) % 24).padStart(2, '0')}:00`;
    const { store, agent } = track(
      await running(bed, 'window', { updater: { swapWindow: { timeZone: 'UTC', from: hour(2), to: hour(3) } } }),
    );
    await bed.assign(store, bed.release('0.4.0'), { swap: 'window' });
    await eventually(() => {
      expect(update(agent)).toMatchObject({
        state: 'waiting_window',
        reason: expect.stringContaining('outside the swap window'),
      });
    }, 30_000);
    expect(agent.status().model?.version).toBe('0.0.1-test');
    await bed.assign(store, bed.release('0.4.1'), { swap: 'now' });
    await eventually(() => expect(update(agent)).toMatchObject({ state: 'active', version: '0.4.1' }), 30_000);
    // A window the hub sends (the rollout's, or the fleet registry's trading hours) replaces the agent's:
    // Tokyo hours around now are inside it although the configured UTC window is not.
    const tokyoHour = Number(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', hourCycle: 'h23' }).format(
        new Date(),
      ),
    );
    const tokyo = (offset: number) => `${String((tokyoHour + offset + 24) % 24).padStart(2, '0')}:00`;
    await bed.assign(store, bed.release('0.4.2'), {
      swap: 'window',
      swap_window: { time_zone: 'Asia/Tokyo', from: tokyo(3), to: tokyo(4) },
    });
    await eventually(() => {
      expect(update(agent)).toMatchObject({
        state: 'waiting_window',
        version: '0.4.2',
        reason: expect.stringContaining(`outside the swap window ${tokyo(3)}-${tokyo(4)} Asia/Tokyo`),
      });
    }, 30_000);
    await bed.assign(store, bed.release('0.4.3'), {
      swap: 'window',
      swap_window: { time_zone: 'Asia/Tokyo', from: tokyo(-1), to: tokyo(2) },
    });
    await eventually(() => expect(update(agent)).toMatchObject({ state: 'active', version: '0.4.3' }), 30_000);
  });
});
