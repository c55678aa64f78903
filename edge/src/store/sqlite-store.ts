import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Alert,
  type AlertFeedback,
  applyEventToFeatureState,
  applyEventToStoreState,
  emptyFeatureState,
  emptyStoreFeatureState,
  kafkaKeyFor,
  kafkaTopics,
  type ReceivedZReport,
  reconcileZReport,
  type SkuFeatureState,
  type StoreEvent,
  type StoreFeatureState,
  topicForEventType,
  type ZReportResult,
} from '@tillgate/shared';
import Database from 'better-sqlite3';
import type {
  AlertStateRow,
  CommitResult,
  DiskUsage,
  EdgeStore,
  InstalledModel,
  IntakeItem,
  IntakeOutcome,
  LevelSteering,
  OutboxRow,
  RejectRow,
  TerminalEpoch,
  TerminalFault,
  TouchedSku,
} from './edge-store.ts';

import { migrate } from './migrations.ts';
import { type SequenceGap, SequenceGaps } from './sequence-gaps.ts';
import { skusOf } from './skus-of.ts';
import { TerminalSequences } from './terminal-sequences.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { ZReportLedger } from './z-report-ledger.ts';

/**
 * Opens (creating if needed) the agent's SQLite file in WAL mode and brings its schema up to date.
 *
 * synchronous=FULL: in WAL mode, NORMAL fsyncs only at checkpoints, so a commit survives a crash of
 * the process but NOT a power cut — the last transactions can roll back after the PUBACK went out,
 * which is exactly the loss MISSION.md forbids. FULL fsyncs the WAL on every commit. Group commit
 * (intake/group-commit.ts) pays that fsync once per batch, not per message; bench/edge-intake.ts
 * measures the cost against raw batched inserts.
 * Writes that can be re-derived skip their own fsync (see #withoutFsync): sent marks and alerts.
 */
export function openSqliteStore(file: string, limits: Partial<StoreLimits> = {}): EdgeStore {
  const { maxRejects, walBytes, backgroundCheckpoints } = { ...defaultStoreLimits, ...limits };
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Another process (the CLI) may read while the agent writes; wait instead of failing at once.
  db.pragma('busy_timeout = 5000');
  // The WAL is part of what the disk cap counts: after a checkpoint it is cut back to a quarter of
  // its allowance, and checkpoints come every eighth of it (at most SQLite's default 1,000 pages),
  // which leaves a batch's worst case room in the allowance (intake/disk-budget.ts).
  db.pragma(`journal_size_limit = ${Math.floor(walBytes / 4)}`);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const checkpointPages = Math.max(16, Math.min(1_000, Math.floor(walBytes / 8 / pageSize)));
  migrate(db);
  // The agent checkpoints from a worker thread (wal-checkpointer.ts): every 100 ms it lands a WAL
  // of at most ~100 ms of intake, well inside the allowance. Other users (the CLI) keep SQLite's own.
  db.pragma(`wal_autocheckpoint = ${backgroundCheckpoints ? 0 : checkpointPages}`);
  const checkpointer = backgroundCheckpoints ? new WalCheckpointer(file, 100, Math.floor(walBytes / 4)) : null;
  return new SqliteStore(db, file, maxRejects, checkpointer);
}

export interface StoreLimits {
  /** Rows the rejects table keeps; older ones are deleted as new ones come (counted as dropped). */
  maxRejects: number;
  /** Bytes the WAL may take (edge/src/intake/disk-budget.ts sets it from the disk cap). */
  walBytes: number;
  /** Checkpoint from a worker thread instead of inside commits (the agent; not the CLI). */
  backgroundCheckpoints: boolean;
}

const defaultStoreLimits: StoreLimits = { maxRejects: 10_000, walBytes: 64 * 1024 ** 2, backgroundCheckpoints: false };

class SqliteStore implements EdgeStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #maxRejects: number;
  readonly #checkpointer: WalCheckpointer | null;
  readonly #trimRejects: Database.Statement;
  readonly #rejectRange: Database.Statement;
  readonly #countDropped: Database.Statement;
  readonly #insertOutbox: Database.Statement;
  readonly #insertReject: Database.Statement;
  readonly #getState: Database.Statement;
  readonly #getAlertState: Database.Statement;
  readonly #putState: Database.Statement;
  readonly #readUnsent: Database.Statement;
  readonly #markSent: Database.Statement;
  readonly #setMeta: Database.Statement;
  readonly #sequences: TerminalSequences;
  readonly #gaps: SequenceGaps;
  readonly #zReports: ZReportLedger;
  readonly #commitIntake: (items: readonly IntakeItem[], droppedRejects: number) => CommitResult;
  readonly #commitAlerts: (alerts: readonly Alert[], topic: string) => void;
  readonly #markSentMany: (seqs: readonly number[], at: string) => void;
  /** The store-level feature state as last committed (agent_meta), so scoring never reads it back. */
  #storeState: StoreFeatureState;

  constructor(db: Database.Database, file: string, maxRejects: number, checkpointer: WalCheckpointer | null) {
    this.#db = db;
    this.#file = file;
    this.#maxRejects = maxRejects;
    this.#checkpointer = checkpointer;
    this.#rejectRange = db.prepare('SELECT min(id) AS low, max(id) AS high FROM rejects');
    this.#trimRejects = db.prepare('DELETE FROM rejects WHERE id < ?');
    this.#countDropped = db.prepare(
      `INSERT INTO agent_meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)`,
    );
    this.#sequences = new TerminalSequences(db);
    this.#gaps = new SequenceGaps(db);
    this.#zReports = new ZReportLedger(db);
    this.#insertOutbox = db.prepare(
      `INSERT INTO outbox (event_id, terminal_id, terminal_seq, topic, key, payload, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#insertReject = db.prepare(
      `INSERT INTO rejects (received_at, terminal_id, topic, event_id, field, reason, code, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#getState = db.prepare('SELECT state FROM sku_state WHERE sku = ?').pluck();
    // Read for every SKU scored: prepared once (a prepare per call showed in the alert-path profile).
    this.#getAlertState = db.prepare('SELECT open, risk, changed_at AS changedAt FROM alert_state WHERE sku = ?');
    this.#putState = db.prepare(
      `INSERT INTO sku_state (sku, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (sku) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.#readUnsent = db.prepare(
      `SELECT seq, event_id AS eventId, topic, key, payload, received_at AS receivedAt
       FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?`,
    );
    // One statement for the whole batch: a per-row UPDATE cost a JS-to-native call per forwarded row.
    this.#markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE seq IN (SELECT value FROM json_each(?))');
    this.#setMeta = db.prepare(
      'INSERT INTO agent_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    const stored = db.prepare('SELECT value FROM agent_meta WHERE key = ?').pluck().get(storeStateKey);
    this.#storeState =
      stored === undefined ? emptyStoreFeatureState() : (JSON.parse(stored as string) as StoreFeatureState);
    this.#commitIntake = db.transaction((items: readonly IntakeItem[], droppedRejects: number) => {
      const result = this.#applyIntake(items);
      this.#sequences.flush();
      this.#boundRejects(droppedRejects);
      return result;
    });
    const insertAlert = db.prepare(
      'INSERT INTO alerts (alert_id, sku, state, risk, at, payload) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const putAlertState = db.prepare(
      `INSERT INTO alert_state (sku, open, risk, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (sku) DO UPDATE SET open = excluded.open, risk = excluded.risk, changed_at = excluded.changed_at`,
    );
    // One transaction per scoring run: 100 alerts in a burst cost one fsync, not 100.
    this.#commitAlerts = db.transaction((alerts: readonly Alert[], topic: string) => {
      for (const alert of alerts) {
        const payload = JSON.stringify(alert);
        this.#insertOutbox.run(alert.alert_id, null, null, topic, kafkaKeyFor(alert), payload, alert.at);
        insertAlert.run(alert.alert_id, alert.sku, alert.state, alert.risk, alert.at, payload);
        putAlertState.run(alert.sku, alert.state === 'raised' ? 1 : 0, alert.risk, alert.at);
      }
    });
    // One transaction (one fsync) per forwarded batch, including the last-forward time.
    this.#markSentMany = db.transaction((seqs: readonly number[], at: string) => {
      this.#markSent.run(at, JSON.stringify(seqs));
      this.#setMeta.run(lastForwardKey, at);
    });
  }

  #applyIntake(items: readonly IntakeItem[]): CommitResult {
    const outcomes: IntakeOutcome[] = [];
    const faults: (TerminalFault | null)[] = [];
    const zReports: (ZReportResult | null)[] = [];
    const touched = new Map<string, TouchedSku>();
    let store = this.#storeState;
    for (const item of items) {
      if (item.kind === 'reject') {
        this.#insertReject.run(
          item.receivedAt,
          item.terminalId,
          item.topic,
          item.eventId,
          item.field,
          item.reason,
          item.code,
          item.payload,
        );
        outcomes.push('rejected');
        faults.push(null);
        zReports.push(null);
        continue;
      }
      if (item.kind === 'z_report') {
        // Reads the identities this very transaction inserted: the day's last events count.
        zReports.push(this.#commitZReport(item.report));
        outcomes.push('stored');
        faults.push(null);
        continue;
      }
      zReports.push(null);
      const event = item.event;
      const admission = this.#sequences.admit(event);
      faults.push(admission.fault);
      if (!admission.store) {
        outcomes.push('duplicate');
        continue;
      }
      // terminal_id/terminal_seq stay NULL in the outbox: identity and numbering live in
      // event_identities / terminal_epochs (migration v2).
      this.#insertOutbox.run(
        event.event_id,
        null,
        null,
        topicForEventType[event.type],
        kafkaKeyFor(event),
        item.payload,
        event.received_at,
      );
      outcomes.push('stored');
      // The store's state first: a sale's own units are in soldUnits when its SKUs note it (spec).
      store = applyEventToStoreState(store, event as StoreEvent);
      for (const sku of skusOf(event)) {
        const state = touched.get(sku)?.state ?? this.skuState(sku) ?? emptyFeatureState();
        touched.set(sku, {
          state: applyEventToFeatureState(state, event as StoreEvent, sku, store),
          eventId: event.event_id,
          occurredAt: event.occurred_at,
        });
      }
    }
    const now = new Date().toISOString();
    for (const [sku, { state }] of touched) this.#putState.run(sku, JSON.stringify(state), now);
    if (store !== this.#storeState) this.#setMeta.run(storeStateKey, JSON.stringify(store));
    return { outcomes, faults, touched, store, zReports };
  }

  /** Reconciles a report, records its result and queues report + result for the hub (z-reports). */
  #commitZReport(report: ReceivedZReport): ZReportResult {
    const result = reconcileZReport(report, this.#zReports.findings(report), 'edge', new Date());
    const forward = { schema: 1 as const, report, edge_result: result };
    this.#zReports.record(forward);
    // One outbox row per result: a re-sent report is reconciled again and the hub keeps the newest.
    this.#insertOutbox.run(
      `z:${report.report_id}@${result.reconciled_at}`,
      null,
      null,
      kafkaTopics.zReports,
      kafkaKeyFor(report),
      JSON.stringify(forward),
      report.received_at,
    );
    return result;
  }

  commitIntake(items: readonly IntakeItem[], droppedRejects = 0): CommitResult {
    let result: CommitResult;
    try {
      result = this.#commitIntake(items, droppedRejects);
    } catch (error) {
      this.#sequences.forget();
      throw error;
    }
    // Only once the transaction is durable: a failed commit leaves the cached state where it was.
    this.#storeState = result.store;
    return result;
  }

  storeFeatureState(): StoreFeatureState {
    return this.#storeState;
  }

  /** The rejects table is a ring of the newest `maxRejects`: a terminal stuck in a reject loop cannot fill the disk. */
  #boundRejects(keptOut: number): void {
    const { low, high } = this.#rejectRange.get() as { low: number | null; high: number | null };
    // Rows leave only from the oldest end, so the id range is the row count.
    const excess = low === null || high === null ? 0 : high - low + 1 - this.#maxRejects;
    if (excess > 0) this.#trimRejects.run((low as number) + excess);
    const dropped = Math.max(0, excess) + keptOut;
    if (dropped > 0) this.#countDropped.run(rejectsDroppedKey, String(dropped));
  }

  commitAlerts(alerts: readonly Alert[], topic: string): void {
    if (alerts.length > 0) this.#withoutFsync(() => this.#commitAlerts(alerts, topic));
  }

  /**
   * Commits without waiting for an fsync (synchronous=NORMAL for this transaction only). For writes a
   * power cut may take back without breaking a promise: a lost sent mark means a re-send (the hub
   * dedupes by event_id); a lost alert is raised again when its SKU is next scored. WAL frames are
   * appended in order and the next FULL commit's fsync covers them, so a power cut can only lose
   * such writes made after the last intake commit. Each fsync blocks the event loop that serves
   * MQTT (bench/edge-alert-latency.ts), so the alert path keeps only the intake commit's fsync.
   */
  #withoutFsync<T>(write: () => T): T {
    this.#db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  alertById(alertId: string): Alert | null {
    const payload = this.#db.prepare('SELECT payload FROM alerts WHERE alert_id = ?').pluck().get(alertId);
    return payload === undefined ? null : (JSON.parse(payload as string) as Alert);
  }

  levelSteering(): LevelSteering | null {
    const row = this.#db
      .prepare(
        "SELECT relax, confirmed, refuted, updated_at AS updatedAt FROM level_steering WHERE kind = 'hidden_empty'",
      )
      .get() as LevelSteering | undefined;
    return row ?? null;
  }

  steerOnAnswer(alertId: string, next: (current: LevelSteering | null) => LevelSteering): LevelSteering | null {
    return this.#db.transaction(() => {
      const row = next(this.levelSteering());
      const first = this.#db
        .prepare('UPDATE alerts SET answered_at = ? WHERE alert_id = ? AND answered_at IS NULL')
        .run(row.updatedAt, alertId);
      if (first.changes === 0) return null;
      this.#db
        .prepare(
          `INSERT INTO level_steering (kind, relax, confirmed, refuted, updated_at) VALUES ('hidden_empty', ?, ?, ?, ?)
           ON CONFLICT (kind) DO UPDATE SET relax = excluded.relax, confirmed = excluded.confirmed,
             refuted = excluded.refuted, updated_at = excluded.updated_at`,
        )
        .run(row.relax, row.confirmed, row.refuted, row.updatedAt);
      return row;
    })();
  }

  commitFeedback(feedback: AlertFeedback, topic: string): 'stored' | 'duplicate' {
    // An answer is as precious as a sale (it is a label nothing else gives): a full fsync commit.
    const inserted = this.#insertOutbox.run(
      `feedback:${feedback.feedback_id}`,
      null,
      null,
      topic,
      kafkaKeyFor(feedback),
      JSON.stringify(feedback),
      feedback.received_at,
    );
    return inserted.changes === 0 ? 'duplicate' : 'stored';
  }

  alertState(sku: string): AlertStateRow | null {
    const row = this.#getAlertState.get(sku) as { open: number; risk: number; changedAt: string } | undefined;
    return row === undefined ? null : { open: row.open === 1, risk: row.risk, changedAt: row.changedAt };
  }

  skuState(sku: string): SkuFeatureState | null {
    const text = this.#getState.get(sku) as string | undefined;
    return text === undefined ? null : (JSON.parse(text) as SkuFeatureState);
  }

  allSkuStates(): Map<string, SkuFeatureState> {
    const rows = this.#db.prepare('SELECT sku, state FROM sku_state').all() as { sku: string; state: string }[];
    return new Map(rows.map((row) => [row.sku, JSON.parse(row.state) as SkuFeatureState]));
  }

  readUnsent(limit: number): OutboxRow[] {
    return this.#readUnsent.all(limit) as OutboxRow[];
  }

  markSent(seqs: readonly number[], at: Date): void {
    this.#withoutFsync(() => this.#markSentMany(seqs, at.toISOString()));
  }

  requeue(fromSeq: number, toSeq: number): number {
    return this.#db
      .prepare('UPDATE outbox SET sent_at = NULL WHERE seq BETWEEN ? AND ? AND sent_at IS NOT NULL')
      .run(fromSeq, toSeq).changes;
  }

  backlog(): { events: number; oldestReceivedAt: string | null; oldestSeq: number | null } {
    const count = this.#db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck().get() as number;
    const oldest = this.#db
      .prepare('SELECT seq, received_at AS receivedAt FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1')
      .get() as { seq: number; receivedAt: string } | undefined;
    return { events: count, oldestReceivedAt: oldest?.receivedAt ?? null, oldestSeq: oldest?.seq ?? null };
  }

  recentAlerts(limit: number): Alert[] {
    const rows = this.#db.prepare('SELECT payload FROM alerts ORDER BY rowid DESC LIMIT ?').pluck().all(limit);
    return (rows as string[]).map((text) => JSON.parse(text) as Alert);
  }

  openAlerts(): number {
    return this.#db.prepare('SELECT count(*) FROM alert_state WHERE open = 1').pluck().get() as number;
  }

  currentOpenAlerts(): Alert[] {
    const rows = this.#db
      .prepare(
        `SELECT a.payload FROM alert_state s
         JOIN alerts a ON a.rowid = (SELECT max(rowid) FROM alerts WHERE sku = s.sku)
         WHERE s.open = 1 ORDER BY s.sku`,
      )
      .pluck()
      .all();
    return (rows as string[]).map((text) => JSON.parse(text) as Alert);
  }

  recentRejects(limit: number): RejectRow[] {
    return this.#db.prepare(`SELECT ${rejectColumns} FROM rejects ORDER BY id DESC LIMIT ?`).all(limit) as RejectRow[];
  }

  rejects(afterId: number, limit: number): RejectRow[] {
    return this.#db
      .prepare(`SELECT ${rejectColumns} FROM rejects WHERE id > ? ORDER BY id LIMIT ?`)
      .all(afterId, limit) as RejectRow[];
  }

  rejectsTotal(): number {
    return this.#db.prepare('SELECT count(*) FROM rejects').pluck().get() as number;
  }

  diskUsage(): DiskUsage {
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    return {
      dbBytes: fileBytes(this.#file),
      walBytes: fileBytes(`${this.#file}-wal`),
      shmBytes: fileBytes(`${this.#file}-shm`),
      liveBytes: (pages - free) * pageSize,
      pageSize,
    };
  }

  checkpoint(): void {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  dropped(): { rejects: number; alerts: number } {
    const read = (key: string) =>
      Number(this.#db.prepare('SELECT value FROM agent_meta WHERE key = ?').pluck().get(key) ?? 0);
    return { rejects: read(rejectsDroppedKey), alerts: read(alertsDroppedKey) };
  }

  pruneAlerts(maxRows: number): number {
    return this.#withoutFsync(() =>
      this.#db.transaction(() => {
        const excess = (this.#db.prepare('SELECT count(*) FROM alerts').pluck().get() as number) - maxRows;
        if (excess <= 0) return 0;
        // An open SKU's latest alert is what displays get re-published after a restart: it stays.
        const deleted = this.#db
          .prepare(
            `DELETE FROM alerts WHERE rowid IN (
               SELECT a.rowid FROM alerts a
               WHERE NOT EXISTS (
                 SELECT 1 FROM alert_state s WHERE s.sku = a.sku AND s.open = 1
                   AND a.rowid = (SELECT max(rowid) FROM alerts latest WHERE latest.sku = a.sku))
               ORDER BY a.rowid LIMIT ?)`,
          )
          .run(excess).changes;
        if (deleted > 0) this.#countDropped.run(alertsDroppedKey, String(deleted));
        return deleted;
      })(),
    );
  }

  terminalEpochs(): TerminalEpoch[] {
    return this.#sequences.epochs();
  }

  sequenceGaps(): SequenceGap[] {
    return this.#gaps.open();
  }

  recentZReports(limit: number): ZReportResult[] {
    return this.#zReports.recent(limit);
  }

  pruneIdentities(before: Date, maxBytes: number, limit: number): { expired: number; evicted: number; bytes: number } {
    const expired = this.#db
      .prepare(
        `DELETE FROM event_identities WHERE id IN (
           SELECT id FROM event_identities WHERE received_s < ? ORDER BY id LIMIT ?)`,
      )
      .run(Math.floor(before.getTime() / 1000), limit).changes;
    let evicted = 0;
    const { count } = this.identities();
    let bytes = this.#identityBytes();
    if (bytes > maxBytes && count > 0) {
      // Rows are near enough the same size: drop the share over the bound, plus 10 % so the next
      // pass does not have to again at once.
      const excess = Math.ceil(count * ((bytes - maxBytes) / bytes) * 1.1);
      evicted = this.#db
        .prepare('DELETE FROM event_identities WHERE id IN (SELECT id FROM event_identities ORDER BY id LIMIT ?)')
        .run(Math.min(excess, limit)).changes;
      bytes = this.#identityBytes();
    }
    // Past epochs whose last event is past retention say nothing gap detection can still use.
    this.#db
      .prepare(
        `DELETE FROM terminal_epochs WHERE last_seen_at < ? AND epoch <
           (SELECT max(epoch) FROM terminal_epochs latest WHERE latest.terminal_id = terminal_epochs.terminal_id)`,
      )
      .run(before.toISOString());
    return { expired, evicted, bytes };
  }

  identities(): { count: number; oldestReceivedAt: string | null } {
    // Rows only ever leave from the oldest end, so the id range is the row count (no count(*) scan).
    const range = this.#db.prepare('SELECT min(id) AS low, max(id) AS high FROM event_identities').get() as {
      low: number | null;
      high: number | null;
    };
    if (range.low === null || range.high === null) return { count: 0, oldestReceivedAt: null };
    const oldest = this.#db.prepare('SELECT received_s FROM event_identities WHERE id = ?').pluck().get(range.low);
    return { count: range.high - range.low + 1, oldestReceivedAt: new Date((oldest as number) * 1000).toISOString() };
  }

  /**
   * Bytes the identity table and its indexes fill in their pages (dbstat reads every page of them).
   * Used, not allocated: deleting the oldest rows leaves room in the randomly-keyed index pages that
   * new rows fill before pages split, so the allocation stays near its high-water mark while this
   * falls; bounding the allocation would evict on and on.
   */
  #identityBytes(): number {
    return this.#db
      .prepare(
        `SELECT coalesce(sum(pgsize - unused), 0) FROM dbstat WHERE aggregate = TRUE AND name IN
           ('event_identities', 'sqlite_autoindex_event_identities_1', 'event_identities_by_seq')`,
      )
      .pluck()
      .get() as number;
  }

  pruneSent(before: Date, limit: number): number {
    return this.#db
      .prepare(
        `DELETE FROM outbox WHERE seq IN (
           SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND received_at < ? ORDER BY seq LIMIT ?)`,
      )
      .run(before.toISOString(), limit).changes;
  }

  recordInstalledModel(model: InstalledModel, at: Date): void {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE installed_models SET active = 0').run();
      this.#db
        .prepare(
          `INSERT INTO installed_models (name, version, dir, installed_at, active) VALUES (?, ?, ?, ?, 1)
           ON CONFLICT (name, version) DO UPDATE SET dir = excluded.dir, active = 1`,
        )
        .run(model.name, model.version, model.dir, at.toISOString());
    })();
  }

  lastForwardAt(): string | null {
    const value = this.#db.prepare('SELECT value FROM agent_meta WHERE key = ?').pluck().get(lastForwardKey);
    return (value as string | undefined) ?? null;
  }

  scoredSince(): string | null {
    const value = this.#db.prepare('SELECT value FROM agent_meta WHERE key = ?').pluck().get(scoredSinceKey);
    return (value as string | undefined) ?? null;
  }

  recordScoredSince(at: string): void {
    const current = this.scoredSince();
    if (current === null || Date.parse(at) < Date.parse(current)) this.#setMeta.run(scoredSinceKey, at);
  }

  close(): void {
    this.#checkpointer?.stop();
    if (this.#db.open) this.#db.close();
  }
}

/** agent_meta key of the time of the last batch Kafka acknowledged. */
const lastForwardKey = 'last_forward_at';
/** agent_meta keys of the rejects / alerts no longer held (row bounds, disk cap). */
const rejectsDroppedKey = 'rejects_dropped';
const alertsDroppedKey = 'alerts_dropped';

/** Bytes of a file, 0 when it does not exist (the WAL and its index come and go with checkpoints). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** agent_meta key of the store-level feature state (StoreFeatureState JSON). */
const storeStateKey = 'store_feature_state';
/** agent_meta key of the earliest event instant the alert engine scored (start of its warm-up). */
const scoredSinceKey = 'scored_since';

const rejectColumns =
  'id, received_at AS receivedAt, terminal_id AS terminalId, topic, event_id AS eventId, field, reason, code, payload';
