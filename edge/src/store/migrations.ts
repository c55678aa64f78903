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
