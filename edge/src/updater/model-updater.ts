import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, ModelAssignment, ModelManifest, ModelUpdateStatus } from '@tillgate/shared';
import { releaseFiles } from '@tillgate/shared/registry';
import { downloadAttempt } from './artifact-download.ts';
import { crashPoint } from './crash-point.ts';
import { reasonOf, UpdateError, updateErrorCodes } from './errors.ts';
import type { LoadedModel, ModelSlotScorer } from './model-slot-scorer.ts';
import { checkAssignment, checkModelBytes } from './release-check.ts';
import { ShadowRun } from './shadow-run.ts';
import { swapAllowed } from './swap-window.ts';
import type { TrustedKey } from './trusted-keys.ts';
import type { UpdaterConfig } from './updater-config.ts';
import type { UpdaterDb } from './updater-db.ts';

export interface ModelUpdaterDeps {
  config: UpdaterConfig;
  /** <dataDir>/models: installed versions under <name>/<version>/, downloads under .staging/. */
  modelsDir: string;
  trusted: ReadonlyMap<string, TrustedKey>;
  slot: ModelSlotScorer;
  db: UpdaterDb;
  /** Loads and verifies a model directory with one pinned key, with the alert levels it will run at. */
  loadModel(dir: string, key: TrustedKey): Promise<LoadedModel>;
  log: Logger;
}

const terminalStates: ReadonlySet<ModelUpdateStatus['state']> = new Set(['active', 'rejected', 'rolled_back']);
const pollMs = 200; // ms between shadow / window checks

/**
 * One update at a time, from the latest order: pre-checks (signer, signature, manifest, task, feature
 * spec, version), resumable download, verification, shadow on live traffic, wait for the swap window,
 * atomic swap, post-swap watch with automatic rollback. Every state change is written to updater.db
 * first, so a restart resumes (or cleanly abandons) the update from what is on disk.
 */
export class ModelUpdater {
  readonly #deps: ModelUpdaterDeps;
  #latest: ModelAssignment | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  #watchTimer: NodeJS.Timeout | null = null;

  constructor(deps: ModelUpdaterDeps) {
    this.#deps = deps;
  }

  status(): ModelUpdateStatus {
    const active = this.#deps.slot.active.scorer;
    return (
      this.#deps.db.pending()?.status ?? {
        state: 'active',
        rollout_id: null,
        name: active.name,
        version: active.version,
        reason: null,
        since: new Date().toISOString(),
      }
    );
  }

  /** Picks up an update that a restart interrupted. */
  resume(): void {
    const pending = this.#deps.db.pending();
    if (pending === null || pending.assignmentJson === null || terminalStates.has(pending.status.state)) return;
    this.offer(JSON.parse(pending.assignmentJson) as ModelAssignment);
  }

  /** A new order from the hub; the newest one wins once the current step ends. */
  offer(assignment: ModelAssignment): void {
    this.#latest = assignment;
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#watchTimer !== null) clearTimeout(this.#watchTimer);
    await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#latest !== null && !this.#stopped) {
      const assignment = this.#latest;
      this.#latest = null;
      await this.#handle(assignment);
    }
  }

  #superseded(assignment: ModelAssignment): boolean {
    return (
      this.#stopped ||
      (this.#latest !== null && this.#latest.rollout_id !== assignment.rollout_id) ||
      this.#latest?.action === 'cancel'
    );
  }

  #set(assignment: ModelAssignment, state: ModelUpdateStatus['state'], reason: string | null = null): void {
    const status: ModelUpdateStatus = {
      state,
      rollout_id: assignment.rollout_id,
      name: assignment.name,
      version: assignment.version,
      reason,
      since: new Date().toISOString(),
    };
    this.#deps.db.setStatus(status, JSON.stringify(assignment));
    this.#deps.log.info({ state, rollout: assignment.rollout_id, version: assignment.version, reason }, 'model update');
  }

  async #handle(assignment: ModelAssignment): Promise<void> {
    const { db, slot } = this.#deps;
    const pending = db.pending();
    const same = pending?.status.rollout_id === assignment.rollout_id && pending?.status.version === assignment.version;
    if (assignment.action === 'cancel') {
      if (same && pending !== null && !terminalStates.has(pending.status.state)) {
        this.#set(assignment, 'rejected', `${updateErrorCodes.cancelled}: the rollout was aborted`);
      }
      return;
    }
    // Re-delivered orders (Kafka is at-least-once, and a restart re-reads) must not redo a finished one.
    if (same && pending !== null && terminalStates.has(pending.status.state)) return;
    if (slot.active.scorer.version === assignment.version && slot.active.scorer.name === assignment.name) {
      this.#set(assignment, 'active');
      return;
    }
    let candidate: LoadedModel | null = null;
    try {
      const active = { name: slot.active.scorer.name, version: slot.active.scorer.version };
      const manifest = checkAssignment(assignment, this.#deps.trusted, active);
      const dir = await this.#fetchAndInstall(assignment, manifest);
      if (dir === null) return;
      this.#set(assignment, 'verifying');
      candidate = await this.#load(dir, assignment);
      if (!(await this.#shadow(assignment, candidate))) {
        candidate = null;
        return;
      }
      if (!(await this.#waitForWindow(assignment))) return;
      await slot.stopShadow();
      this.#swap(assignment, candidate, dir);
      candidate = null;
    } catch (error) {
      this.#set(assignment, 'rejected', reasonOf(error));
    } finally {
      if (candidate !== null) {
        await slot.stopShadow();
        await candidate.scorer.close();
      }
    }
  }

  /** Download (resumable, with backoff) into .staging, check the bytes, then rename into models/<name>/<version>. */
  async #fetchAndInstall(assignment: ModelAssignment, manifest: ModelManifest): Promise<string | null> {
    const { config, modelsDir } = this.#deps;
    const staging = join(modelsDir, '.staging', `${assignment.name}-${assignment.version}`);
    const installed = join(modelsDir, assignment.name, assignment.version);
    // Installed before a restart (killed in the shadow or before the swap), or kept as the previous
    // version: the signed hash proves the bytes, so the WAN does not carry them twice.
    if (await this.#alreadyInstalled(installed, manifest)) return installed;
    mkdirSync(staging, { recursive: true });
    this.#set(assignment, 'downloading');
    const file = join(staging, releaseFiles.model);
    for (let attempt = 1; ; attempt++) {
      if (this.#superseded(assignment)) return null;
      try {
        await downloadAttempt(
          { url: assignment.model_url, size: assignment.model_size, file },
          { tunnels: config.download.tunnels, idleTimeoutMs: config.download.chunkTimeoutMs },
        );
        break;
      } catch (error) {
        if (!(error instanceof UpdateError) || !error.canRetry) throw error;
        const delay = Math.min(
          config.download.retryMaxMs,
          config.download.retryInitialMs * 2 ** Math.min(attempt - 1, 10),
        );
        this.#deps.log.info({ err: error.message, attempt, delay }, 'model download cut; resuming after backoff');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    this.#set(assignment, 'verifying');
    try {
      checkModelBytes(manifest, await readFile(file));
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    writeFileSync(join(staging, releaseFiles.manifest), assignment.manifest_json);
    writeFileSync(join(staging, releaseFiles.signature), `${assignment.signature}\n`);
    // A directory left by a crash between this rename and the swap is replaced, never half-used.
    rmSync(installed, { recursive: true, force: true });
    mkdirSync(join(modelsDir, assignment.name), { recursive: true });
    renameSync(staging, installed);
    return installed;
  }

  async #alreadyInstalled(installed: string, manifest: ModelManifest): Promise<boolean> {
    const bytes = await readFile(join(installed, releaseFiles.model)).catch(() => null);
    if (bytes === null) return false;
    try {
      checkModelBytes(manifest, bytes);
      return true;
    } catch {
      return false; // damaged or another build of this version: downloaded again and replaced
    }
  }

  async #load(dir: string, assignment: ModelAssignment): Promise<LoadedModel> {
    const key = this.#deps.trusted.get(assignment.key_id) as TrustedKey;
    try {
      return await this.#deps.loadModel(dir, key);
    } catch (cause) {
      throw new UpdateError(
        updateErrorCodes.loadFailed,
        `${assignment.name}@${assignment.version} does not load: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  /** Shadow scoring until the configured time has passed with a passing verdict; false when it failed or was superseded. */
  async #shadow(assignment: ModelAssignment, candidate: LoadedModel): Promise<boolean> {
    const { config, slot } = this.#deps;
    const shadowMs = assignment.shadow_ms ?? config.shadowMs;
    if (shadowMs === 0) return true;
    this.#set(assignment, 'shadowing');
    const run = new ShadowRun(config.shadow, slot.active.raiseAbove, candidate.raiseAbove);
    slot.startShadow(candidate, run);
    const started = Date.now();
    for (;;) {
      if (this.#superseded(assignment)) {
        await slot.stopShadow();
        await candidate.scorer.close();
        return false;
      }
      const verdict = run.verdict();
      if (verdict.kind === 'fail') {
        await slot.stopShadow();
        await candidate.scorer.close();
        this.#set(assignment, 'rejected', `${updateErrorCodes.shadowFailed}: ${verdict.why}`);
        return false;
      }
      if (verdict.kind === 'pass' && Date.now() - started >= shadowMs) {
        this.#deps.log.info({ stats: run.stats() }, 'shadow passed');
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, shadowMs)));
    }
  }

  async #waitForWindow(assignment: ModelAssignment): Promise<boolean> {
    for (let waiting = false; ; waiting = true) {
      if (this.#superseded(assignment)) return false;
      const gate = swapAllowed(windowFor(this.#deps.config, assignment), assignment.swap, new Date());
      if (gate.allowed) return true;
      if (!waiting) this.#set(assignment, 'waiting_window', gate.why);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  #swap(assignment: ModelAssignment, candidate: LoadedModel, dir: string): void {
    const { db, slot } = this.#deps;
    const status: ModelUpdateStatus = {
      state: 'active',
      rollout_id: assignment.rollout_id,
      name: assignment.name,
      version: assignment.version,
      reason: null,
      since: new Date().toISOString(),
    };
    // Durable first: a kill -9 after this line restarts on the new model (and resumes its watch),
    // before it on the old one.
    crashPoint('swap-before-activate');
    db.activate({ name: assignment.name, version: assignment.version, dir }, status, new Date());
    crashPoint('swap-after-activate');
    const previous = slot.active;
    this.#watch(candidate, previous, status);
    this.#deps.log.info({ version: assignment.version }, 'model swapped in');
  }

  /**
   * After a restart inside a post-swap watch (updater.db swap_watch names the active version): the
   * watch starts again, with `previous` to re-score a failing batch and to roll back to.
   */
  resumeWatch(previous: LoadedModel): void {
    const { db, slot } = this.#deps;
    const active = slot.active.scorer;
    const status: ModelUpdateStatus = db.pending()?.status ?? {
      state: 'active',
      rollout_id: null,
      name: active.name,
      version: active.version,
      reason: null,
      since: new Date().toISOString(),
    };
    this.#deps.log.info({ version: active.version }, 'restarted inside the post-swap watch; watching again');
    this.#watch(slot.active, previous, status);
  }

  #watch(next: LoadedModel, previous: LoadedModel, status: ModelUpdateStatus): void {
    const { db, slot, config } = this.#deps;
    slot.swapTo(next, {
      previous,
      minRows: config.shadow.minRows,
      maxAlertRate: config.shadow.maxAlertRate,
      onFailure: (reason) => {
        if (this.#watchTimer !== null) clearTimeout(this.#watchTimer);
        db.rollBack(
          { ...status, state: 'rolled_back', reason: reasonOf(reason), since: new Date().toISOString() },
          new Date(),
        );
        this.#deps.log.warn({ version: status.version, reason: reason.message }, 'model rolled back');
        void next.scorer.close().catch(() => undefined);
      },
    });
    // The watch lasts watchMs and at least minRows scored rows: time alone would let a model through
    // on a quiet (or overloaded) store before it was ever judged.
    const endWatch = () => {
      if (!slot.watchJudged()) {
        this.#watchTimer = setTimeout(endWatch, Math.max(pollMs, config.watchMs / 10));
        this.#watchTimer.unref();
        return;
      }
      this.#watchTimer = null;
      db.endWatch();
      void slot
        .endWatch()
        ?.scorer.close()
        .catch(() => undefined);
    };
    this.#watchTimer = setTimeout(endWatch, config.watchMs);
    this.#watchTimer.unref();
  }
}

/** The hub's window for this store when the order names one (rollout or fleet registry), else the agent's own. */
function windowFor(config: UpdaterConfig, assignment: ModelAssignment): Pick<UpdaterConfig, 'swapWindow' | 'freezes'> {
  const window = assignment.swap_window;
  return {
    freezes: config.freezes,
    swapWindow:
      window === undefined || window === null
        ? config.swapWindow
        : { timeZone: window.time_zone, from: window.from, to: window.to },
  };
}
