import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Alert,
  applyEventToFeatureState,
  emptyFeatureState,
  kafkaKeyFor,
  type SkuFeatureState,
  type StoreEvent,
  topicForEventType,
} from '@tillgate/shared';
import Database from 'better-sqlite3';
import type {
  AlertStateRow,
  CommitResult,
  EdgeStore,
  InstalledModel,
  IntakeItem,
  IntakeOutcome,
  OutboxRow,
  RejectRow,
  TerminalEpoch,
  TerminalFault,
  TouchedSku,
} from './edge-store.ts';

import { migrate } from './migrations.ts';
import { skusOf } from './skus-of.ts';
import { TerminalSequences } from './terminal-sequences.ts';

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
export function openSqliteStore(file: string): EdgeStore {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Another process (the CLI) may read while the agent writes; wait instead of failing at once.
  db.pragma('busy_timeout = 5000');
  // Keep the WAL file from staying at its high-water mark after a burst (64 MiB).
  db.pragma('journal_size_limit = 67108864');
  migrate(db);
  return new SqliteStore(db);
}

class SqliteStore implements EdgeStore {
  readonly #db: Database.Database;
  readonly #insertOutbox: Database.Statement;
  readonly #insertReject: Database.Statement;
  readonly #getState: Database.Statement;
  readonly #putState: Database.Statement;
  readonly #readUnsent: Database.Statement;
  readonly #markSent: Database.Statement;
  readonly #setMeta: Database.Statement;
  readonly #sequences: TerminalSequences;
  readonly #commitIntake: (items: readonly IntakeItem[]) => CommitResult;
  readonly #commitAlerts: (alerts: readonly Alert[], topic: string) => void;
  readonly #markSentMany: (seqs: readonly number[], at: string) => void;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#sequences = new TerminalSequences(db);
    this.#insertOutbox = db.prepare(
      `INSERT INTO outbox (event_id, terminal_id, terminal_seq, topic, key, payload, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#insertReject = db.prepare(
      `INSERT INTO rejects (received_at, terminal_id, topic, event_id, field, reason, code, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#getState = db.prepare('SELECT state FROM sku_state WHERE sku = ?').pluck();
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
    this.#commitIntake = db.transaction((items: readonly IntakeItem[]) => this.#applyIntake(items));
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
    const touched = new Map<string, TouchedSku>();
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
        continue;
      }
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
      for (const sku of skusOf(event)) {
        const state = touched.get(sku)?.state ?? this.skuState(sku) ?? emptyFeatureState();
        touched.set(sku, {
          state: applyEventToFeatureState(state, event as StoreEvent, sku),
          eventId: event.event_id,
          occurredAt: event.occurred_at,
        });
      }
    }
    const now = new Date().toISOString();
    for (const [sku, { state }] of touched) this.#putState.run(sku, JSON.stringify(state), now);
    return { outcomes, faults, touched };
  }

  commitIntake(items: readonly IntakeItem[]): CommitResult {
    return this.#commitIntake(items);
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
  #withoutFsync(write: () => void): void {
    this.#db.pragma('synchronous = NORMAL');
    try {
      write();
    } finally {
      this.#db.pragma('synchronous = FULL');
    }
  }

  alertState(sku: string): AlertStateRow | null {
    const row = this.#db
      .prepare('SELECT open, risk, changed_at AS changedAt FROM alert_state WHERE sku = ?')
      .get(sku) as { open: number; risk: number; changedAt: string } | undefined;
    return row === undefined ? null : { open: row.open === 1, risk: row.risk, changedAt: row.changedAt };
  }

  skuState(sku: string): SkuFeatureState | null {
    const text = this.#getState.get(sku) as string | undefined;
    return text === undefined ? null : (JSON.parse(text) as SkuFeatureState);
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

  usedBytes(): number {
    const pageSize = this.#db.pragma('page_size', { simple: true }) as number;
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const free = this.#db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  terminalEpochs(): TerminalEpoch[] {
    return this.#sequences.epochs();
  }

  pruneIdentities(before: Date, maxBytes: number, limit: number): { expired: number; evicted: number } {
    const expired = this.#db
      .prepare(
        `DELETE FROM event_identities WHERE id IN (
           SELECT id FROM event_identities WHERE received_s < ? ORDER BY id LIMIT ?)`,
      )
      .run(Math.floor(before.getTime() / 1000), limit).changes;
    let evicted = 0;
    const { count, bytes } = this.identities();
    if (bytes > maxBytes && count > 0) {
      // Rows are near enough the same size: drop the share over the bound, plus 10 % so the next
      // pass does not have to again at once.
      const excess = Math.ceil(count * ((bytes - maxBytes) / bytes) * 1.1);
      evicted = this.#db
        .prepare('DELETE FROM event_identities WHERE id IN (SELECT id FROM event_identities ORDER BY id LIMIT ?)')
        .run(Math.min(excess, limit)).changes;
    }
    // Past epochs whose last event is past retention say nothing gap detection can still use.
    this.#db
      .prepare(
        `DELETE FROM terminal_epochs WHERE last_seen_at < ? AND epoch <
           (SELECT max(epoch) FROM terminal_epochs latest WHERE latest.terminal_id = terminal_epochs.terminal_id)`,
      )
      .run(before.toISOString());
    return { expired, evicted };
  }

  identities(): { count: number; bytes: number; oldestReceivedAt: string | null } {
    // Rows only ever leave from the oldest end, so the id range is the row count (no count(*) scan).
    const range = this.#db.prepare('SELECT min(id) AS low, max(id) AS high FROM event_identities').get() as {
      low: number | null;
      high: number | null;
    };
    if (range.low === null || range.high === null) return { count: 0, bytes: 0, oldestReceivedAt: null };
    const oldest = this.#db.prepare('SELECT received_s FROM event_identities WHERE id = ?').pluck().get(range.low);
    const bytes = this.#db
      .prepare(
        `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE aggregate = TRUE AND name IN
           ('event_identities', 'sqlite_autoindex_event_identities_1', 'event_identities_by_seq')`,
      )
      .pluck()
      .get() as number;
    return {
      count: range.high - range.low + 1,
      bytes,
      oldestReceivedAt: new Date((oldest as number) * 1000).toISOString(),
    };
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
    if (this.#db.open) this.#db.close();
  }
}

/** agent_meta key of the time of the last batch Kafka acknowledged. */
const lastForwardKey = 'last_forward_at';
/** agent_meta key of the earliest event instant the alert engine scored (start of its warm-up). */
const scoredSinceKey = 'scored_since';

const rejectColumns =
  'id, received_at AS receivedAt, terminal_id AS terminalId, topic, event_id AS eventId, field, reason, code, payload';
