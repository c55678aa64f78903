import type { ModelUpdateStatus } from '@tillgate/shared';
import Database from 'better-sqlite3';

export interface ModelSlot {
  name: string;
  version: string;
  dir: string;
}

export interface ActiveModelRow extends ModelSlot {
  previous: ModelSlot | null;
  activatedAt: string;
}

export interface PendingUpdate {
  status: ModelUpdateStatus;
  /** The assignment as received (JSON), while it is being worked on or after it ended. */
  assignmentJson: string | null;
}

/**
 * The updater's durable state in its own SQLite file (updater.db beside edge.db): which model is
 * active (one row, so there is exactly one), the previous one kept for rollback, and the update in
 * progress. A swap or rollback is one transaction, so a kill -9 at any instant leaves either the old
 * or the new pair, never a mix; synchronous=FULL because losing a committed swap would run a model
 * the state does not name.
 */
export class UpdaterDb {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS active_model (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        name TEXT NOT NULL, version TEXT NOT NULL, dir TEXT NOT NULL,
        previous_name TEXT, previous_version TEXT, previous_dir TEXT,
        activated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS update_state (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        status TEXT NOT NULL,
        assignment TEXT
      );
      CREATE TABLE IF NOT EXISTS swap_watch (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        version TEXT NOT NULL,
        starts INTEGER NOT NULL DEFAULT 0
      );`);
    // updater.db files written before the watch counted its starts.
    const columns = this.#db.prepare('PRAGMA table_info(swap_watch)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'starts')) {
      this.#db.exec('ALTER TABLE swap_watch ADD COLUMN starts INTEGER NOT NULL DEFAULT 0');
    }
  }

  active(): ActiveModelRow | null {
    const row = this.#db.prepare('SELECT * FROM active_model WHERE slot = 1').get() as
      | Record<string, string | null>
      | undefined;
    if (row === undefined) return null;
    return {
      name: row.name as string,
      version: row.version as string,
      dir: row.dir as string,
      previous:
        row.previous_name === null
          ? null
          : {
              name: row.previous_name as string,
              version: row.previous_version as string,
              dir: row.previous_dir as string,
            },
      activatedAt: row.activated_at as string,
    };
  }

  pending(): PendingUpdate | null {
    const row = this.#db.prepare('SELECT status, assignment FROM update_state WHERE slot = 1').get() as
      | { status: string; assignment: string | null }
      | undefined;
    return row === undefined
      ? null
      : { status: JSON.parse(row.status) as ModelUpdateStatus, assignmentJson: row.assignment };
  }

  setStatus(status: ModelUpdateStatus, assignmentJson?: string | null): void {
    const keep = assignmentJson === undefined;
    this.#db
      .prepare(
        `INSERT INTO update_state (slot, status, assignment) VALUES (1, ?, ?)
         ON CONFLICT (slot) DO UPDATE SET status = excluded.status${keep ? '' : ', assignment = excluded.assignment'}`,
      )
      .run(JSON.stringify(status), assignmentJson ?? null);
  }

  /** The first model this agent ever ran (bundled or configured); no previous. */
  seed(model: ModelSlot, at: Date): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO active_model (slot, name, version, dir, activated_at) VALUES (1, ?, ?, ?, ?)')
      .run(model.name, model.version, model.dir, at.toISOString());
  }

  /**
   * The version whose post-swap watch has not ended: swapped in, not yet judged. A restart resumes
   * the watch, so a kill -9 right after a swap cannot wave a model through unjudged.
   */
  watching(): string | null {
    const row = this.#db.prepare('SELECT version FROM swap_watch WHERE slot = 1').get() as
      | { version: string }
      | undefined;
    return row?.version ?? null;
  }

  /** Counts one more agent run inside the watch (the swapping one was the first); returns the count (0: no watch). */
  countWatchStart(): number {
    this.#db.prepare('UPDATE swap_watch SET starts = starts + 1 WHERE slot = 1').run();
    const row = this.#db.prepare('SELECT starts FROM swap_watch WHERE slot = 1').get() as
      | { starts: number }
      | undefined;
    return row?.starts ?? 0;
  }

  /** The post-swap watch passed. */
  endWatch(): void {
    this.#db.prepare('DELETE FROM swap_watch').run();
  }

  /** The swap: `next` becomes active and the current one its previous, with the status and its watch, in one transaction. */
  activate(next: ModelSlot, status: ModelUpdateStatus, at: Date): void {
    this.#db.transaction(() => {
      // starts = 1: the run that swapped is the watch's first.
      this.#db.prepare('INSERT OR REPLACE INTO swap_watch (slot, version, starts) VALUES (1, ?, 1)').run(next.version);
      this.#db
        .prepare(
          `UPDATE active_model SET previous_name = name, previous_version = version, previous_dir = dir,
             name = ?, version = ?, dir = ?, activated_at = ? WHERE slot = 1`,
        )
        .run(next.name, next.version, next.dir, at.toISOString());
      this.setStatus(status);
    })();
  }

  /** The rollback: the previous model becomes active again (the failed one is forgotten), with the status. */
  rollBack(status: ModelUpdateStatus, at: Date): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `UPDATE active_model SET name = previous_name, version = previous_version, dir = previous_dir,
             previous_name = NULL, previous_version = NULL, previous_dir = NULL, activated_at = ?
           WHERE slot = 1 AND previous_name IS NOT NULL`,
        )
        .run(at.toISOString());
      this.#db.prepare('DELETE FROM swap_watch').run();
      this.setStatus(status);
    })();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
