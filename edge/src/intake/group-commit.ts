import type { ZReportResult } from '@tillgate/shared';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { CommitResult, EdgeStore, IntakeItem, IntakeOutcome, TerminalFault } from '../store/edge-store.ts';
import type { DiskBudget } from './disk-budget.ts';

/** What became of one submitted message, once durable. */
export interface IntakeVerdict {
  outcome: IntakeOutcome;
  fault: TerminalFault | null;
  /** The edge's result of a z_report item. */
  zReport: ZReportResult | null;
}

export interface GroupCommitOptions {
  lingerMs: number;
  maxBatch: number;
  budget: DiskBudget;
  /** Frees space by pruning forwarded rows before the cap refuses anything; returns rows freed. */
  makeRoom: () => number;
  /** Runs after each durable commit, after every waiting message has been acknowledged. */
  onCommitted: (result: CommitResult) => void;
}

interface Pending {
  item: IntakeItem;
  resolve: (verdict: IntakeVerdict) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: messages wait at most `lingerMs` (or until `maxBatch` are queued), are committed in
 * one SQLite transaction — one fsync for all of them — and only then are their acknowledgements
 * released. Callers send the MQTT PUBACK when their promise resolves, so an ack always follows a
 * durable write.
 *
 * Disk cap policy (intake/disk-budget.ts): a batch is committed only as far as its worst case fits
 * under the cap (main file + WAL + shm). When it does not all fit, forwarded rows are pruned and the
 * WAL checkpointed first; what still does not fit is not written: events are refused with
 * TG_EDGE_DISK_FULL (the terminal gets no PUBACK and keeps the message), rejects are answered and
 * acknowledged but not recorded (counted as dropped). Nothing already acknowledged is ever dropped.
 */
export class GroupCommit {
  readonly #store: EdgeStore;
  readonly #options: GroupCommitOptions;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #commits = 0;

  constructor(store: EdgeStore, options: GroupCommitOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Transactions committed so far: messages stored ÷ commits is the group size (GET /status). */
  get commits(): number {
    return this.#commits;
  }

  submit(item: IntakeItem): Promise<IntakeVerdict> {
    if (this.#stopped) return Promise.reject(new EdgeError(edgeErrorCodes.stopping, 'the agent is stopping'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.#options.maxBatch) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#options.lingerMs);
    });
  }

  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    let rest = this.#queue;
    this.#queue = [];
    // Usually one commit; more only when a batch's WAL frames would not fit the WAL allowance at once.
    while (rest.length > 0) {
      const fit = this.#fitting(rest);
      if (fit === 0) {
        this.#keepOut(rest);
        return;
      }
      const failed = this.#commit(rest.slice(0, fit));
      if (failed !== null) {
        for (const pending of rest.slice(fit)) pending.reject(failed);
        return;
      }
      rest = rest.slice(fit);
    }
  }

  /** Commits what is queued and refuses anything submitted afterwards. */
  stop(): void {
    this.flush();
    this.#stopped = true;
  }

  /** How many from the front fit under the cap; prunes forwarded rows and checkpoints first if not all. */
  #fitting(batch: readonly Pending[]): number {
    const items = batch.map((pending) => pending.item);
    const { budget } = this.#options;
    const fit = budget.fitting(this.#store.diskUsage(), items);
    if (fit === items.length) return fit;
    this.#options.makeRoom();
    this.#store.checkpoint();
    return budget.fitting(this.#store.diskUsage(), items);
  }

  /**
   * What does not fit even after making room is not written: events are refused (no PUBACK, the
   * terminal keeps them); rejects are answered and acknowledged, and counted as dropped.
   */
  #keepOut(batch: readonly Pending[]): void {
    const unrecorded = batch.filter((pending) => pending.item.kind === 'reject').length;
    const failed = unrecorded > 0 ? this.#commit([], unrecorded) : null;
    for (const pending of batch) {
      if (failed !== null) pending.reject(failed);
      else if (pending.item.kind === 'reject') pending.resolve({ outcome: 'rejected', fault: null, zReport: null });
      else pending.reject(this.#diskFull());
    }
  }

  /** Commits one group and releases its acknowledgements; on failure rejects the group and returns the error. */
  #commit(group: readonly Pending[], droppedRejects = 0): Error | null {
    let result: CommitResult;
    try {
      result = this.#store.commitIntake(
        group.map((pending) => pending.item),
        droppedRejects,
      );
    } catch (error) {
      // Nothing of this group is durable, so nothing is acknowledged; terminals re-send.
      for (const pending of group) pending.reject(error as Error);
      return error as Error;
    }
    this.#commits++;
    group.forEach((pending, index) => {
      pending.resolve({
        outcome: result.outcomes[index] ?? 'stored',
        fault: result.faults[index] ?? null,
        zReport: result.zReports[index] ?? null,
      });
    });
    this.#options.onCommitted(result);
    return null;
  }

  #diskFull(): EdgeError {
    return new EdgeError(
      edgeErrorCodes.diskFull,
      `the store buffer is full (disk.capBytes ${this.#options.budget.capBytes} bytes, unsent events); the message was not accepted — keep it and retry later`,
      { canRetry: true },
    );
  }
}
