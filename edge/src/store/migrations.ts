import type Database from 'better-sqlite3';
import { EdgeError, edgeErrorCodes } from '../errors.ts';

/**
 * Versioned schema of the agent's SQLite file, applied in order and tracked in `PRAGMA user_version`.
 * Append new steps; never edit a released one (a store PC may hold a file from any older version).
 */
export const migrations: readonly string[] = [
  // v1: the outbox, dedupe keys, rejects, per-SKU state, alerts, installed models.
  `
  -- Append-only, ordered: seq is the forwarding order. AUTOINCREMENT so a seq is never reused after
  -- sent rows are pruned (replay ranges and the hub's lag view rely on seq only moving forward).
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    terminal_id TEXT,
    terminal_seq INTEGER,
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sent_at TEXT,
    -- A terminal re-sending a sale under a new event_id but the same seq is still a duplicate.
    UNIQUE (terminal_id, terminal_seq)
  );
  -- The forwarder only ever reads the unsent head; a partial index keeps that read O(batch).
  CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

  -- Dead-letter table: what a terminal sent that broke the contract, and why.
  CREATE TABLE rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    event_id TEXT,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    code TEXT NOT NULL,
    payload TEXT NOT NULL
  );

  -- Rolling inventory + feature state per SKU (JSON of SkuFeatureState), moved by every stored event.
  CREATE TABLE sku_state (
    sku TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Hysteresis memory: whether an alert is open per SKU and when it last changed (cool-down).
  CREATE TABLE alert_state (
    sku TEXT PRIMARY KEY,
    open INTEGER NOT NULL,
    risk REAL NOT NULL,
    changed_at TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE alerts (
    alert_id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    state TEXT NOT NULL,
    risk REAL NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL
  );

  CREATE TABLE installed_models (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    dir TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, version)
  );

  -- Small facts that must survive restarts (last successful forward).
  CREATE TABLE agent_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // v2 (issue 15): event identities in their own table, per-terminal sequence epochs, alerts by SKU.
  `
  -- Dedupe memory, kept apart from the outbox: outbox rows are pruned once forwarded (at once under
  -- disk pressure), and a terminal re-sending an older sale must still be recognised. Pruned oldest
  -- first by id (insertion order) past dedupe.retentionDays, or sooner to stay under dedupe.maxBytes.
  -- content_hash (sha256 of the event minus event_id/received_at, first 16 bytes) tells a re-send
  -- under a fresh event_id (same content) from a new sale that reuses a terminal_seq.
  CREATE TABLE event_identities (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    terminal_id TEXT NOT NULL,
    terminal_seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    content_hash BLOB NOT NULL,
    received_s INTEGER NOT NULL
  );
  CREATE INDEX event_identities_by_seq ON event_identities (terminal_id, terminal_seq);

  -- One row per terminal numbering run: a counter restart (reinstall, reset, a cloned till) opens a
  -- new epoch instead of colliding with the old numbers. Read by GET /status and by gap detection.
  CREATE TABLE terminal_epochs (
    terminal_id TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    high_seq INTEGER NOT NULL,
    high_occurred_at TEXT NOT NULL,
    events INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    -- Why this epoch began: 'first' (first event seen), 'seq_reused', 'seq_restarted'.
    opened_by TEXT NOT NULL,
    PRIMARY KEY (terminal_id, epoch)
  ) WITHOUT ROWID;

  -- Identities of what v1 stored (its UNIQUE (terminal_id, terminal_seq) made one epoch per terminal;
  -- the content hash of those rows is unknown, so zeroblob: a same-content re-send of a v1 event under
  -- a new event_id is then stored as a reuse (kept and reported) rather than dropped).
  INSERT INTO event_identities (event_id, terminal_id, terminal_seq, epoch, content_hash, received_s)
    SELECT event_id, terminal_id, terminal_seq, 0, zeroblob(16), CAST(strftime('%s', received_at) AS INTEGER)
    FROM outbox WHERE terminal_id IS NOT NULL ORDER BY seq;
  INSERT INTO terminal_epochs
    SELECT terminal_id, 0, min(terminal_seq), max(terminal_seq),
           max(json_extract(payload, '$.occurred_at')), count(*), min(received_at), max(received_at), 'first'
    FROM outbox WHERE terminal_id IS NOT NULL GROUP BY terminal_id;

  -- From v2 on the outbox's terminal_id/terminal_seq stay NULL, so v1's UNIQUE (terminal_id,
  -- terminal_seq) no longer drops a sale that reuses a number (SQLite cannot drop a constraint
  -- without rebuilding the table, up to disk.capBytes on a store PC). Identity lives above.

  -- currentOpenAlerts and alert pruning look up an SKU's latest alert.
  CREATE INDEX alerts_by_sku ON alerts (sku);
  `,
  // v3 (issue 14): what end-of-day reconciliation needs of each stored event, and the Z-reports.
  `
  -- A Z-report is reconciled against the identities of its terminal, numbers and span (the outbox is
  -- pruned once forwarded). type is NULL where the identity was not stored as an event (a re-send
  -- under a new event_id, or a row from before v3): such rows never count. Cents per line rounded.
  ALTER TABLE event_identities ADD COLUMN type TEXT;
  ALTER TABLE event_identities ADD COLUMN occurred_ms INTEGER;
  ALTER TABLE event_identities ADD COLUMN gross_cents INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE event_identities ADD COLUMN returned_cents INTEGER NOT NULL DEFAULT 0;

  -- The latest result of every report received (a re-sent report is reconciled again and replaces it).
  -- Read by GET /status; the report and each result also travel to the hub through the outbox.
  CREATE TABLE z_reports (
    report_id TEXT PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    business_day TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reconciled_at TEXT NOT NULL,
    result TEXT NOT NULL
  );
  `,
  // v4 (issue 16): each store's hidden_empty level, steered by its staff's answers.
  `
  -- When the first staff answer to an alert was counted in the steering (a second one is not).
  ALTER TABLE alerts ADD COLUMN answered_at TEXT;
  -- One row: the level is the store's, whichever model is active (src/alerts/feedback-steering.ts).
  CREATE TABLE level_steering (
    kind TEXT PRIMARY KEY CHECK (kind = 'hidden_empty'),
    relax REAL NOT NULL,
    confirmed INTEGER NOT NULL,
    refuted INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new EdgeError(
      edgeErrorCodes.schemaTooNew,
      `the database is at schema version ${current} but this agent knows only up to ${migrations.length}; run a newer agent or restore a backup`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return migrations.length;
}
