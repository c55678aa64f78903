import type { Alert, SkuFeatureState, StoreEvent } from '@tillgate/shared';

// The agent's durable state, behind one small interface with its own contract tests
// (edge/src/store/edge-store.test.ts). There is no in-memory implementation on purpose: a store's
// sales must never sit only in RAM (STYLE.md "Durable state").

/** One message of a group commit: a valid event to store, or a reject to record. */
export type IntakeItem =
  | { kind: 'event'; event: StoreEvent; payload: string }
  | {
      kind: 'reject';
      receivedAt: string;
      terminalId: string;
      topic: string;
      eventId: string | null;
      field: string;
      reason: string;
      code: string;
      payload: string;
    };

export type IntakeOutcome = 'stored' | 'duplicate' | 'rejected';

export interface TouchedSku {
  state: SkuFeatureState;
  eventId: string;
  /** The trigger's occurred_at: the instant the SKU's risk is scored at (event time, like training). */
  occurredAt: string;
}

/**
 * A terminal numbering fault seen at intake (store/terminal-sequences.ts): `seq_reused` and
 * `seq_restarted` sales are stored and open a new epoch; a `content_resent` sale is not stored again.
 */
export interface TerminalFault {
  kind: 'seq_reused' | 'seq_restarted' | 'content_resent';
  terminalId: string;
  terminalSeq: number;
  eventId: string;
  /** The epoch the event was counted in (the new one for seq_reused / seq_restarted). */
  epoch: number;
  /** The event that already holds this number (seq_reused, content_resent). */
  otherEventId: string | null;
}

/** One run of a terminal's numbering (terminal_epochs): what gap detection reads. */
export interface TerminalEpoch {
  terminalId: string;
  epoch: number;
  firstSeq: number;
  highSeq: number;
  events: number;
  startedAt: string;
  lastSeenAt: string;
  openedBy: 'first' | 'seq_reused' | 'seq_restarted';
}

export interface CommitResult {
  outcomes: IntakeOutcome[];
  /** Per item, parallel to `outcomes`: the terminal fault it showed, or null. */
  faults: (TerminalFault | null)[];
  /** SKUs whose state moved, with the event that last moved each (the alert's trigger) and its occurred_at. */
  touched: Map<string, TouchedSku>;
}

export interface OutboxRow {
  seq: number;
  eventId: string;
  topic: string;
  key: string;
  payload: string;
  receivedAt: string;
}

export interface RejectRow {
  id: number;
  receivedAt: string;
  terminalId: string;
  topic: string;
  eventId: string | null;
  field: string;
  reason: string;
  code: string;
  payload: string;
}

export interface AlertStateRow {
  open: boolean;
  risk: number;
  changedAt: string;
}

export interface InstalledModel {
  name: string;
  version: string;
  dir: string;
}

export interface EdgeStore {
  /** Commits the whole batch in one transaction; returns only once it is durable. */
  commitIntake(items: readonly IntakeItem[]): CommitResult;
  /** Records alerts, their hysteresis state and their outbox rows (on `topic`) in one transaction. */
  commitAlerts(alerts: readonly Alert[], topic: string): void;
  alertState(sku: string): AlertStateRow | null;
  skuState(sku: string): SkuFeatureState | null;
  /** Oldest unsent rows first, at most `limit`. */
  readUnsent(limit: number): OutboxRow[];
  /** Marks rows sent and records `at` as the last successful forward, in one transaction. */
  markSent(seqs: readonly number[], at: Date): void;
  lastForwardAt(): string | null;
  /** The earliest event instant the alert engine has scored (its warm-up clock), or null before any. */
  scoredSince(): string | null;
  /** Moves scoredSince back to `at` if `at` is earlier (or sets it); persisted in agent_meta. */
  recordScoredSince(at: string): void;
  /** Puts a seq range back in the unsent queue (CLI replay); returns how many rows it re-queued. */
  requeue(fromSeq: number, toSeq: number): number;
  backlog(): { events: number; oldestReceivedAt: string | null; oldestSeq: number | null };
  recentAlerts(limit: number): Alert[];
  openAlerts(): number;
  /** The latest alert of every SKU whose alert is open (re-published retained after a restart). */
  currentOpenAlerts(): Alert[];
  recentRejects(limit: number): RejectRow[];
  rejects(afterId: number, limit: number): RejectRow[];
  rejectsTotal(): number;
  /** Bytes of live pages (free pages left by pruning are reused, so they do not count). */
  usedBytes(): number;
  /** Per-terminal numbering epochs, by terminal then epoch. */
  terminalEpochs(): TerminalEpoch[];
  /**
   * Forgets event identities received before `before`, and more (oldest first) while they take more
   * than `maxBytes`, at most `limit` rows per call. `evicted` counts those forgotten early for bytes.
   */
  pruneIdentities(before: Date, maxBytes: number, limit: number): { expired: number; evicted: number };
  /** The dedupe memory: how many identities, their bytes, and the oldest one's receipt time. */
  identities(): { count: number; bytes: number; oldestReceivedAt: string | null };
  /** Deletes sent rows received before `before`, oldest first, at most `limit`; returns how many. */
  pruneSent(before: Date, limit: number): number;
  recordInstalledModel(model: InstalledModel, at: Date): void;
  close(): void;
}
