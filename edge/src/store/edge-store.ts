import type {
  Alert,
  AlertFeedback,
  ReceivedZReport,
  SkuFeatureState,
  StoreEvent,
  StoreFeatureState,
  ZReportResult,
} from '@tillgate/shared';
import type { SequenceGap } from './sequence-gaps.ts';

// The agent's durable state, behind one small interface with its own contract tests
// (edge/src/store/edge-store.test.ts). There is no in-memory implementation on purpose: a store's
// sales must never sit only in RAM (STYLE.md "Durable state").

/** One message of a group commit: a valid event to store, or a reject to record. */
export type IntakeItem =
  | { kind: 'event'; event: StoreEvent; payload: string }
  /** A terminal's Z-report: reconciled inside the commit, after every item before it (issue 14). */
  | { kind: 'z_report'; report: ReceivedZReport; payload: string }
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
  /** The store-level feature state after the batch. */
  store: StoreFeatureState;
  /** Per item, parallel to `outcomes`: the edge's result of a z_report item, or null. */
  zReports: (ZReportResult | null)[];
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

/** How far staff answers have lowered the store's hidden_empty level (src/alerts/feedback-steering.ts). */
export interface LevelSteering {
  /** Share of the release level the level is lowered by. */
  relax: number;
  /** Answers counted that found the shelf empty / stocked. */
  confirmed: number;
  refuted: number;
  updatedAt: string;
}

export interface InstalledModel {
  name: string;
  version: string;
  dir: string;
}

/** What the SQLite file set really takes on disk, and how much of the main file is live. */
export interface DiskUsage {
  /** Main database file, bytes. */
  dbBytes: number;
  /** Write-ahead log, bytes (0 when absent). */
  walBytes: number;
  /** Shared-memory index of the WAL, bytes (0 when absent). */
  shmBytes: number;
  /** Pages of the main file in use; the rest are free pages SQLite reuses before it grows the file. */
  liveBytes: number;
  pageSize: number;
}

export interface EdgeStore {
  /**
   * Commits the whole batch in one transaction; returns only once it is durable. `droppedRejects`
   * counts rejects of this batch the disk cap kept out (added to the persisted dropped counter).
   */
  commitIntake(items: readonly IntakeItem[], droppedRejects?: number): CommitResult;
  /** Records alerts, their hysteresis state and their outbox rows (on `topic`) in one transaction. */
  commitAlerts(alerts: readonly Alert[], topic: string): void;
  alertState(sku: string): AlertStateRow | null;
  /** An alert this agent raised or cleared, or null if it holds no such alert (never raised, or pruned). */
  alertById(alertId: string): Alert | null;
  /** The steering of the hidden_empty level, or null before the first counted answer. */
  levelSteering(): LevelSteering | null;
  /**
   * Counts the first answer to an alert in the steering, in one transaction: `next` gets the stored
   * row (or null) and returns the row to store. Returns it, or null if the alert was already counted
   * (or is not held), in which case nothing changes.
   */
  steerOnAnswer(alertId: string, next: (current: LevelSteering | null) => LevelSteering): LevelSteering | null;
  /** Stores a staff answer and its outbox row (on `topic`) in one transaction; a re-sent feedback_id is a duplicate. */
  commitFeedback(feedback: AlertFeedback, topic: string): 'stored' | 'duplicate';
  skuState(sku: string): SkuFeatureState | null;
  /** The store-level feature state as of the last commit (store_state in the feature spec). */
  storeFeatureState(): StoreFeatureState;
  /** Every SKU's feature state (the alert engine's pass over silent SKUs). */
  allSkuStates(): Map<string, SkuFeatureState>;
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
  diskUsage(): DiskUsage;
  /** Copies the WAL into the main file and truncates it (room for the next batch near the cap). */
  checkpoint(): void;
  /** Rejects and alerts no longer held (pruned to their row bounds or kept out at the cap), persisted. */
  dropped(): { rejects: number; alerts: number };
  /** Deletes the oldest alerts past `maxRows`, keeping each open SKU's latest; returns how many. */
  pruneAlerts(maxRows: number): number;
  /** Per-terminal numbering epochs, by terminal then epoch. */
  terminalEpochs(): TerminalEpoch[];
  /** Missing terminal_seq ranges of each terminal's current epoch (gap detection, issue 14). */
  sequenceGaps(): SequenceGap[];
  /** The latest Z-report results (committed as z_report intake items), newest first. */
  recentZReports(limit: number): ZReportResult[];
  /**
   * Forgets event identities received before `before`, and more (oldest first) while they take more
   * than `maxBytes`, at most `limit` rows per call. `evicted` counts those forgotten early for bytes;
   * `bytes` is what the identities take after the call (measured page by page, so not on every status).
   */
  pruneIdentities(before: Date, maxBytes: number, limit: number): { expired: number; evicted: number; bytes: number };
  /** The dedupe memory: how many identities, and the oldest one's receipt time. */
  identities(): { count: number; oldestReceivedAt: string | null };
  /** Deletes sent rows received before `before`, oldest first, at most `limit`; returns how many. */
  pruneSent(before: Date, limit: number): number;
  recordInstalledModel(model: InstalledModel, at: Date): void;
  close(): void;
}
