import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelUpdateStatus } from '@tillgate/shared';
import { releaseFiles } from '@tillgate/shared/registry';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../edge/src/config.ts';
import { type AgentProcess, spawnAgent } from './agent-process.ts';
import { eventually, within } from './harness.ts';
import { type StoreUnderTest, startTraffic, type UpdaterBed, updaterBed } from './updater-kit.ts';

// Issue 10: kill -9 of an agent process during the download, the shadow and the swap (both sides of
// the SQLite transaction). The kills are deterministic crash points (TILLGATE_EDGE_CRASH_POINT, see
// edge/src/updater/crash-point.ts) or a SIGKILL from here in a state that lasts (a 60 s shadow), never
// a race with a timer. After each restart: exactly one active model, the one updater.db names, its
// bytes the ones its signed manifest names, and the update resumed without downloading twice.
// Every wait is bounded and says what it waited for.

const waitMs = 60_000;

const updateOf = async (agent: AgentProcess) => (await agent.status()).model_update as ModelUpdateStatus;
const versionOf = async (agent: AgentProcess) => ((await agent.status()).model as { version: string }).version;

/** The active model as updater.db names it, and whether its directory's bytes match its manifest. */
function activeOnDisk(config: EdgeConfig): { version: string; verified: boolean } {
  const db = new Database(join(config.dataDir, 'updater.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT version, dir FROM active_model WHERE slot = 1').get() as {
      version: string;
      dir: string;
    };
    const manifest = JSON.parse(readFileSync(join(row.dir, releaseFiles.manifest), 'utf8')) as { sha256: string };
    const actual = createHash('sha256')
      .update(readFileSync(join(row.dir, releaseFiles.model)))
      .digest('hex');
    return { version: row.version, verified: actual === manifest.sha256 };
  } finally {
    db.close();
  }
}

const died = (agent: AgentProcess, what: string, timeoutMs = waitMs) =>
  within(
    new Promise<void>((resolve) => {
      if (agent.child.exitCode !== null || agent.child.signalCode !== null) resolve();
      else agent.child.once('exit', () => resolve());
    }),
    timeoutMs,
    `the agent to die ${what}`,
  );

/** Polls the agent's /status until its update is in `state` (and `version`), failing with the last one seen. */
async function updateReaches(agent: AgentProcess, state: ModelUpdateStatus['state'], version: string) {
  let last: ModelUpdateStatus | undefined;
  await eventually(async () => {
    last = await updateOf(agent);
    if (last.state !== state || last.version !== version) throw new Error('not yet');
  }, waitMs).catch(() => {
    throw new Error(`waited ${waitMs} ms for model_update ${state} ${version}; last seen ${JSON.stringify(last)}`);
  });
}

// Several agent starts per case (seconds each on a loaded machine), each wait bounded by waitMs.
describe('kill -9 of the agent during an update', { timeout: 240_000 }, () => {
  let bed: UpdaterBed;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    bed = await updaterBed('crash');
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await bed?.cleanup();
  });

  async function run(config: EdgeConfig, crashPoint?: string) {
    if (crashPoint !== undefined) process.env.TILLGATE_EDGE_CRASH_POINT = crashPoint;
    const agent = await spawnAgent(config).finally(() => delete process.env.TILLGATE_EDGE_CRASH_POINT);
    // null: the agent died at its crash point while the traffic was starting; any other failure fails.
    const traffic = await startTraffic(agent.mqttPort, config.storeId).catch(async (error: unknown) => {
      await died(agent, 'after its traffic failed to start', 10_000).catch(() => {
        throw error;
      });
      return null;
    });
    const stop = async () => {
      await traffic?.stop();
      await agent.stop();
    };
    stops.push(stop);
    return { agent, stop };
  }

  /** Bytes the store's S3 link carried towards the agent while `body` ran. */
  async function s3BytesDuring(store: StoreUnderTest, body: () => Promise<void>): Promise<number> {
    const before = store.s3Link.status().bytesDown;
    await body();
    return store.s3Link.status().bytesDown - before;
  }

  it.each([
    { point: 'swap-before-activate', version: '1.0.0', afterKill: '0.0.1-test' },
    { point: 'swap-after-activate', version: '1.0.1', afterKill: '1.0.1' },
  ])('killed at $point: restarts on one verified model and ends with $version active', async (crash) => {
    const store = await bed.store(`crash-${crash.point.slice(5, 11)}`);
    const release = bed.release(crash.version, { padBytes: 256 * 1024 });
    const first = await run(store.config, crash.point);
    await bed.assign(store, release, { shadow_ms: 0 });
    await died(first.agent, `at ${crash.point}`);
    expect(first.agent.child.signalCode).toBe('SIGKILL');
    await first.stop();
    expect(activeOnDisk(store.config)).toEqual({ version: crash.afterKill, verified: true });
    const resumed = await s3BytesDuring(store, async () => {
      const second = await run(store.config);
      // Before the transaction the update resumes; after it the new model simply is the active one.
      await updateReaches(second.agent, 'active', crash.version);
      expect(await versionOf(second.agent)).toBe(crash.version);
      await second.stop();
    });
    expect(activeOnDisk(store.config)).toEqual({ version: crash.version, verified: true });
    // The installed, verified version is used as it is: the WAN does not carry it twice.
    expect(resumed).toBeLessThan(release.model.length);
  });

  it('killed right after the swap of a model that fails at scoring: the restart watches it and rolls back', async () => {
    // Regression: the post-swap watch lived only in memory, so a kill -9 between the swap and the
    // watch's verdict left a model that returns NaN active for good after the restart.
    const store = await bed.store('crash-watch');
    const first = await run(store.config, 'swap-after-activate');
    await bed.assign(store, bed.release('1.1.0', { slope: Number.NaN }), { shadow_ms: 0 });
    await died(first.agent, 'at swap-after-activate');
    await first.stop();
    expect(activeOnDisk(store.config)).toEqual({ version: '1.1.0', verified: true });
    const second = await run(store.config);
    await updateReaches(second.agent, 'rolled_back', '1.1.0');
    expect((await updateOf(second.agent)).reason).toMatch(/TG_EDGE_UPDATE_SCORING_FAILED/);
    expect(await versionOf(second.agent)).toBe('0.0.1-test');
    await second.stop();
    expect(activeOnDisk(store.config)).toEqual({ version: '0.0.1-test', verified: true });
  });

  it('rolls back a model that kills the agent in its post-swap watch, before loading it a third time', async () => {
    const store = await bed.store('crash-loop', { updater: { shadowMs: 0, watchStarts: 3 } });
    const first = await run(store.config, 'watch-scoring');
    await bed.assign(store, bed.release('1.2.0'), { shadow_ms: 0 });
    await died(first.agent, 'scoring in the watch');
    await first.stop();
    const second = await run(store.config, 'watch-scoring');
    await died(second.agent, 'scoring in the watch after the first restart');
    expect(second.agent.child.signalCode).toBe('SIGKILL');
    await second.stop();
    expect(activeOnDisk(store.config).version).toBe('1.2.0');
    // Third start inside the same watch: rolled back before the model is loaded, so no crash now.
    const third = await run(store.config, 'watch-scoring');
    await updateReaches(third.agent, 'rolled_back', '1.2.0');
    expect((await updateOf(third.agent)).reason).toMatch(/TG_EDGE_UPDATE_CRASH_LOOP: the agent ran 3 times/);
    expect(await versionOf(third.agent)).toBe('0.0.1-test');
    await third.stop();
    expect(third.agent.child.signalCode).toBeNull();
    expect(activeOnDisk(store.config)).toEqual({ version: '0.0.1-test', verified: true });
  });

  it('killed in the download and in the shadow: restarts on the old model, resumes, ends active', async () => {
    const store = await bed.store('crash-dl', { updater: { shadowMs: 60_000 } });
    const release = bed.release('2.0.0', { padBytes: 4 * 1024 * 1024 });
    const staged = join(store.config.dataDir, 'models', '.staging', 'tiny-stockout-2.0.0');
    const installed = join(store.config.dataDir, 'models', 'tiny-stockout', '2.0.0');

    const first = await run(store.config, 'download-partial');
    await bed.assign(store, release);
    await died(first.agent, 'in the download');
    await first.stop();
    const partial = statSync(join(staged, `${releaseFiles.model}.part`)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(release.model.length);
    expect(existsSync(installed)).toBe(false);
    expect(activeOnDisk(store.config)).toEqual({ version: '0.0.1-test', verified: true });

    // Restart (60 s shadow): the download resumes from the .part with a range request.
    const resumed = await s3BytesDuring(store, async () => {
      const second = await run(store.config);
      expect(await versionOf(second.agent)).toBe('0.0.1-test');
      await updateReaches(second.agent, 'shadowing', '2.0.0');
      second.agent.child.kill('SIGKILL');
      await died(second.agent, 'after SIGKILL in the shadow');
      await second.stop();
    });
    expect(resumed).toBeLessThan(release.model.length - partial + 64 * 1024);
    expect(activeOnDisk(store.config)).toEqual({ version: '0.0.1-test', verified: true });

    // Restart with a 1 s shadow: the installed version shadows again and is swapped in, no new download.
    const again = await s3BytesDuring(store, async () => {
      const third = await run({ ...store.config, updater: { ...store.config.updater, shadowMs: 1_000 } });
      await updateReaches(third.agent, 'active', '2.0.0');
      await third.stop();
    });
    expect(again).toBeLessThan(64 * 1024);
    expect(activeOnDisk(store.config)).toEqual({ version: '2.0.0', verified: true });
  });
});
