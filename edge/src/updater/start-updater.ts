import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, ModelUpdateStatus } from '@tillgate/shared';
import { alertLevels } from '../alerts/alert-levels.ts';
import type { EdgeConfig } from '../config.ts';
import { defaultModelDir, StockoutScorer } from '../scoring/index.ts';
import { startAssignmentFeed } from './assignment-feed.ts';
import { reasonOf, UpdateError, updateErrorCodes } from './errors.ts';
import { type LoadedModel, ModelSlotScorer } from './model-slot-scorer.ts';
import { ModelUpdater } from './model-updater.ts';
import { loadTrustedKeys, type TrustedKey } from './trusted-keys.ts';
import { UpdaterDb } from './updater-db.ts';

export interface RunningUpdater {
  /** The scorer the alert engine uses: always the active model. */
  readonly scorer: ModelSlotScorer;
  status(): ModelUpdateStatus;
  stop(): Promise<void>;
}

/**
 * Opens the active model recorded in updater.db (the configured or bundled one on first start), rolls
 * back to the previous one if it no longer loads, and starts following the hub's orders.
 */
export async function startModelUpdater(config: EdgeConfig, log: Logger): Promise<RunningUpdater> {
  const trusted = loadTrustedKeys(config.model.trustedKeys);
  const allKeys = [...trusted.values()];
  const load = async (dir: string, keys: readonly TrustedKey[]): Promise<LoadedModel> => {
    const scorer = await StockoutScorer.load(
      dir,
      keys.map((key) => key.pem),
    );
    const { raiseAbove, raiseHiddenEmptyAbove, clearBelow } = alertLevels(config.alerts, scorer);
    return { scorer, raiseAbove, raiseHiddenEmptyAbove, clearBelow };
  };
  const modelsDir = join(config.dataDir, 'models');
  const db = new UpdaterDb(join(config.dataDir, 'updater.db'));
  blameCrashLoop(db, config.updater.watchStarts, log);
  const active = await openActiveModel(db, config.model.dir ?? defaultModelDir, (dir) => load(dir, allKeys), log);
  dropStaleStaging(modelsDir, db);
  const slot = new ModelSlotScorer(active);
  const updater = new ModelUpdater({
    config: config.updater,
    modelsDir,
    trusted,
    slot,
    db,
    loadModel: (dir, key) => load(dir, [key]),
    log,
  });
  const previous = await watchedPrevious(db, (dir) => load(dir, allKeys), log);
  if (previous !== null) updater.resumeWatch(previous);
  updater.resume();
  const feed = config.updater.enabled
    ? startAssignmentFeed(config.kafka, config.storeId, (assignment) => updater.offer(assignment), log)
    : null;
  return {
    scorer: slot,
    status: () => updater.status(),
    async stop() {
      await feed?.stop();
      await updater.stop();
      await slot.active.scorer.close();
      db.close();
    },
  };
}

async function openActiveModel(
  db: UpdaterDb,
  configuredDir: string,
  load: (dir: string) => Promise<LoadedModel>,
  log: Logger,
): Promise<LoadedModel> {
  const row = db.active();
  if (row === null) {
    const model = await load(configuredDir);
    db.seed({ name: model.scorer.name, version: model.scorer.version, dir: configuredDir }, new Date());
    return model;
  }
  try {
    return await load(row.dir);
  } catch (error) {
    if (row.previous === null) throw error;
    // The active model no longer loads (disk damage, a deleted file): back to the one before it.
    const reason = reasonOf(
      new UpdateError(
        updateErrorCodes.loadFailed,
        `${row.name}@${row.version} does not load: ${(error as Error).message}`,
      ),
    );
    log.error({ version: row.version, reason }, 'active model does not load; rolling back');
    const pending = db.pending();
    db.rollBack(
      {
        state: 'rolled_back',
        rollout_id: pending?.status.rollout_id ?? null,
        name: row.name,
        version: row.version,
        reason,
        since: new Date().toISOString(),
      },
      new Date(),
    );
    return load(row.previous.dir);
  }
}

/**
 * The agent starting for the `watchStarts`-th time inside one post-swap watch: the new model brings
 * the process down (a crash in the runtime, memory), so it is rolled back before it is loaded again.
 * Counted before the load, since the load itself may be what kills the process.
 */
function blameCrashLoop(db: UpdaterDb, watchStarts: number, log: Logger): void {
  const watching = db.watching();
  if (watching === null) return;
  const starts = db.countWatchStart();
  if (starts < watchStarts) return;
  const row = db.active();
  const pending = db.pending()?.status;
  const reason = reasonOf(
    new UpdateError(
      updateErrorCodes.crashLoop,
      `the agent ran ${starts} times inside the post-swap watch of ${row?.name}@${watching} without it ending`,
    ),
  );
  log.error({ version: watching, starts }, 'the new model keeps the agent from running; rolling back');
  db.rollBack(
    {
      state: 'rolled_back',
      rollout_id: pending?.rollout_id ?? null,
      name: row?.name ?? pending?.name ?? null,
      version: watching,
      reason,
      since: new Date().toISOString(),
    },
    new Date(),
  );
}

/** The previous model when the agent restarted inside the active one's post-swap watch, else null. */
async function watchedPrevious(
  db: UpdaterDb,
  load: (dir: string) => Promise<LoadedModel>,
  log: Logger,
): Promise<LoadedModel | null> {
  const row = db.active();
  const watching = db.watching();
  if (watching === null || row === null || row.version !== watching || row.previous === null) {
    if (watching !== null) db.endWatch(); // nothing to roll back to any more: the watch is moot
    return null;
  }
  try {
    return await load(row.previous.dir);
  } catch (error) {
    log.warn({ err: error, version: row.previous.version }, 'previous model does not load; the watch cannot roll back');
    db.endWatch();
    return null;
  }
}

/** Downloads of versions no update is working on any more (a crash mid-way, a superseded order). */
function dropStaleStaging(modelsDir: string, db: UpdaterDb): void {
  const staging = join(modelsDir, '.staging');
  if (!existsSync(staging)) return;
  const pending = db.pending()?.status;
  const keep = pending === undefined ? null : `${pending.name}-${pending.version}`;
  for (const entry of readdirSync(staging)) {
    if (entry !== keep) rmSync(join(staging, entry), { recursive: true, force: true });
  }
}
