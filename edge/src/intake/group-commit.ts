import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { CommitResult, EdgeStore, IntakeItem, IntakeOutcome, TerminalFault } from '../store/edge-store.ts';

/** What became of one submitted message, once durable. */
export interface IntakeVerdict {
  outcome: IntakeOutcome;
  fault: TerminalFault | null;
}

export interface GroupCommitOptions {
  lingerMs: number;
  maxBatch: number;
  capBytes: number;
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
 * Disk cap policy: when live pages exceed `capBytes`, forwarded rows are pruned first; if that frees
 * nothing, new events are refused with TG_EDGE_DISK_FULL (the terminal gets no PUBACK and keeps the
 * message). Rejects are still recorded — they are small and tell IT what is happening. Nothing
 * already acknowledged is ever dropped to make room.
 */
export class GroupCommit {
  readonly #store: EdgeStore;
  readonly #options: GroupCommitOptions;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(store: EdgeStore, options: GroupCommitOptions) {
    this.#store = store;
    this.#options = options;
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
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const { accepted, refused } = this.#applyDiskCap(batch);
    let result: CommitResult;
    try {
      result = this.#store.commitIntake(accepted.map((pending) => pending.item));
    } catch (error) {
      // Nothing of this batch is durable, so nothing is acknowledged; terminals re-send.
      for (const pending of batch) pending.reject(error as Error);
      return;
    }
    for (const pending of refused) pending.reject(this.#diskFull());
    accepted.forEach((pending, index) => {
      pending.resolve({ outcome: result.outcomes[index] ?? 'stored', fault: result.faults[index] ?? null });
    });
    this.#options.onCommitted(result);
  }

  /** Commits what is queued and refuses anything submitted afterwards. */
  stop(): void {
    this.flush();
    this.#stopped = true;
  }

  #applyDiskCap(batch: Pending[]): { accepted: Pending[]; refused: Pending[] } {
    if (this.#store.usedBytes() <= this.#options.capBytes) return { accepted: batch, refused: [] };
    if (this.#options.makeRoom() > 0 && this.#store.usedBytes() <= this.#options.capBytes) {
      return { accepted: batch, refused: [] };
    }
    return {
      accepted: batch.filter((pending) => pending.item.kind === 'reject'),
      refused: batch.filter((pending) => pending.item.kind === 'event'),
    };
  }

  #diskFull(): EdgeError {
    return new EdgeError(
      edgeErrorCodes.diskFull,
      `the store buffer is full (${this.#options.capBytes} bytes of unsent events); the message was not accepted — keep it and retry later`,
      { canRetry: true },
    );
  }
}
