import { createHash } from 'node:crypto';
import type { StoreEvent } from '@tillgate/shared';
import type Database from 'better-sqlite3';
import type { TerminalEpoch, TerminalFault } from './edge-store.ts';

/** What the store does with one valid event: store it or not, and which terminal fault it shows. */
export interface Admission {
  store: boolean;
  fault: TerminalFault | null;
}

interface EpochRow {
  epoch: number;
  firstSeq: number;
  highSeq: number;
  highOccurredAt: string;
  events: number;
}

/**
 * Event identity and per-terminal numbering, inside the intake transaction.
 *
 * `event_id` is the identity: an id already seen is a duplicate (acknowledged, not stored). A new id
 * whose `(terminal_id, terminal_seq)` was already used is one of two terminal faults, told apart by
 * content (the event minus event_id and received_at):
 * - same content: the terminal re-sent a sale under a fresh event_id — not stored again (it would
 *   count the sale twice), reported as `content_resent`;
 * - different content: a new sale on a reused number (reinstall, counter reset, two tills cloned from
 *   one image) — stored, reported as `seq_reused`, and a new epoch of the terminal's numbering begins.
 * A number below the epoch's high-water mark with no retained row is a late message filling a gap
 * when it happened before the high-water event, else a counter that restarted below what the
 * identity table still remembers (`seq_restarted`, new epoch). Gap detection (issue 14) reads epochs.
 */
export class TerminalSequences {
  readonly #known: Database.Statement;
  readonly #atSeq: Database.Statement;
  readonly #current: Database.Statement;
  readonly #insertIdentity: Database.Statement;
  readonly #openEpoch: Database.Statement;
  readonly #advanceEpoch: Database.Statement;
  readonly #epochs: Database.Statement;

  constructor(db: Database.Database) {
    this.#known = db.prepare('SELECT 1 FROM event_identities WHERE event_id = ?').pluck();
    this.#atSeq = db.prepare(
      'SELECT event_id AS eventId, epoch, content_hash AS hash FROM event_identities WHERE terminal_id = ? AND terminal_seq = ?',
    );
    this.#current = db.prepare(
      `SELECT epoch, first_seq AS firstSeq, high_seq AS highSeq, high_occurred_at AS highOccurredAt, events
       FROM terminal_epochs WHERE terminal_id = ? ORDER BY epoch DESC LIMIT 1`,
    );
    this.#insertIdentity = db.prepare(
      `INSERT INTO event_identities (event_id, terminal_id, terminal_seq, epoch, content_hash, received_s)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#openEpoch = db.prepare(
      `INSERT INTO terminal_epochs (terminal_id, epoch, first_seq, high_seq, high_occurred_at, events, started_at, last_seen_at, opened_by)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    this.#advanceEpoch = db.prepare(
      `UPDATE terminal_epochs SET high_seq = ?, high_occurred_at = ?, events = events + 1, last_seen_at = ?
       WHERE terminal_id = ? AND epoch = ?`,
    );
    this.#epochs = db.prepare(
      `SELECT terminal_id AS terminalId, epoch, first_seq AS firstSeq, high_seq AS highSeq, events,
              started_at AS startedAt, last_seen_at AS lastSeenAt, opened_by AS openedBy
       FROM terminal_epochs ORDER BY terminal_id, epoch`,
    );
  }

  /** Decides and records; call inside the intake transaction so identity and outbox commit together. */
  admit(event: StoreEvent): Admission {
    if (this.#known.get(event.event_id) !== undefined) return { store: false, fault: null };
    const hash = contentHash(event);
    const seq = event.terminal_seq;
    const used = this.#atSeq.all(event.terminal_id, seq) as { eventId: string; epoch: number; hash: Buffer }[];
    const current = this.#current.get(event.terminal_id) as EpochRow | undefined;
    const same = used.find((row) => row.hash.equals(hash));
    if (same !== undefined) {
      // Remember the fresh id too: its own re-sends are then plain duplicates, not new faults.
      this.#record(event, same.epoch, hash);
      return { store: false, fault: this.#fault('content_resent', event, same.epoch, same.eventId) };
    }
    if (current === undefined) {
      this.#open(event, 0, 'first', hash);
      return { store: true, fault: null };
    }
    const collision = used.find((row) => row.epoch === current.epoch);
    if (collision !== undefined) {
      this.#open(event, current.epoch + 1, 'seq_reused', hash);
      return { store: true, fault: this.#fault('seq_reused', event, current.epoch + 1, collision.eventId) };
    }
    if (seq <= current.highSeq && Date.parse(event.occurred_at) > Date.parse(current.highOccurredAt)) {
      this.#open(event, current.epoch + 1, 'seq_restarted', hash);
      return { store: true, fault: this.#fault('seq_restarted', event, current.epoch + 1, null) };
    }
    const advances = seq > current.highSeq;
    this.#advanceEpoch.run(
      advances ? seq : current.highSeq,
      advances ? event.occurred_at : current.highOccurredAt,
      event.received_at,
      event.terminal_id,
      current.epoch,
    );
    this.#record(event, current.epoch, hash);
    return { store: true, fault: null };
  }

  epochs(): TerminalEpoch[] {
    return this.#epochs.all() as TerminalEpoch[];
  }

  #open(event: StoreEvent, epoch: number, openedBy: TerminalEpoch['openedBy'], hash: Buffer): void {
    const seq = event.terminal_seq;
    const at = event.received_at;
    this.#openEpoch.run(event.terminal_id, epoch, seq, seq, event.occurred_at, at, at, openedBy);
    this.#record(event, epoch, hash);
  }

  #record(event: StoreEvent, epoch: number, hash: Buffer): void {
    const receivedS = Math.floor(Date.parse(event.received_at) / 1000);
    this.#insertIdentity.run(event.event_id, event.terminal_id, event.terminal_seq, epoch, hash, receivedS);
  }

  #fault(kind: TerminalFault['kind'], event: StoreEvent, epoch: number, otherEventId: string | null): TerminalFault {
    return {
      kind,
      terminalId: event.terminal_id,
      terminalSeq: event.terminal_seq,
      eventId: event.event_id,
      epoch,
      otherEventId,
    };
  }
}

/** First 16 bytes of sha256 over the event with sorted keys, minus what differs between re-sends. */
export function contentHash(event: StoreEvent): Buffer {
  const { event_id: _id, received_at: _received, ...content } = event;
  return createHash('sha256').update(canonicalJson(content)).digest().subarray(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
