import { createHash } from 'node:crypto';
import { eventAmountCents, type StoreEvent } from '@tillgate/shared';
import type Database from 'better-sqlite3';
import type { TerminalEpoch, TerminalFault } from './edge-store.ts';

/** What the store does with one valid event: store it or not, and which terminal fault it shows. */
export interface Admission {
  store: boolean;
  fault: TerminalFault | null;
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
  readonly #insertIdentity: Database.Statement;
  readonly #setIdentityEpoch: Database.Statement;
  readonly #uncount: Database.Statement;
  readonly #atSeq: Database.Statement;
  readonly #current: Database.Statement;
  readonly #openEpoch: Database.Statement;
  readonly #advanceEpoch: Database.Statement;
  readonly #epochs: Database.Statement;
  /**
   * Each terminal's current epoch, read once and then kept in step (measured: five statements per
   * event made intake twice as costly). Only valid inside the transaction that changed it: the
   * store calls `forget()` when a transaction fails, and `flush()` writes the moved rows before commit.
   */
  #terminals = new Map<string, TerminalState>();
  #moved = new Set<TerminalState>();

  constructor(db: Database.Database) {
    this.#insertIdentity = db.prepare(
      `INSERT INTO event_identities (event_id, terminal_id, terminal_seq, epoch, content_hash, received_s,
                                    type, occurred_ms, gross_cents, returned_cents)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
    );
    this.#setIdentityEpoch = db.prepare('UPDATE event_identities SET epoch = ? WHERE event_id = ?');
    this.#uncount = db.prepare('UPDATE event_identities SET epoch = ?, type = NULL WHERE event_id = ?');
    this.#atSeq = db.prepare(
      'SELECT event_id AS eventId, epoch, content_hash AS hash FROM event_identities WHERE terminal_id = ? AND terminal_seq = ?',
    );
    this.#current = db.prepare(
      `SELECT epoch, high_seq AS highSeq, high_occurred_at AS highOccurredAt, events, last_seen_at AS lastSeenAt,
              (SELECT max(high_seq) FROM terminal_epochs every WHERE every.terminal_id = latest.terminal_id) AS maxHighSeq
       FROM terminal_epochs latest WHERE terminal_id = ? ORDER BY epoch DESC LIMIT 1`,
    );
    this.#openEpoch = db.prepare(
      `INSERT INTO terminal_epochs (terminal_id, epoch, first_seq, high_seq, high_occurred_at, events, started_at, last_seen_at, opened_by)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    this.#advanceEpoch = db.prepare(
      `UPDATE terminal_epochs SET high_seq = ?, high_occurred_at = ?, events = ?, last_seen_at = ?
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
    const hash = contentHash(event);
    const seq = event.terminal_seq;
    const current = this.#terminal(event.terminal_id);
    const receivedS = Math.floor(Date.parse(event.received_at) / 1000);
    // What a Z-report counts of this event (store/z-report-ledger.ts).
    const { grossCents, returnedCents } = eventAmountCents(event);
    const inserted = this.#insertIdentity.run(
      event.event_id,
      event.terminal_id,
      seq,
      current?.epoch ?? 0,
      hash,
      receivedS,
      event.type,
      Date.parse(event.occurred_at),
      grossCents,
      returnedCents,
    );
    if (inserted.changes === 0) return { store: false, fault: null };
    // Only a number at or below what the terminal has reached can already be taken.
    const used =
      current !== null && seq <= current.maxHighSeq
        ? (this.#atSeq.all(event.terminal_id, seq) as { eventId: string; epoch: number; hash: Buffer }[]).filter(
            (row) => row.eventId !== event.event_id,
          )
        : [];
    const same = used.find((row) => row.hash.equals(hash));
    if (same !== undefined) {
      // The fresh id stays remembered: its own re-sends are then plain duplicates, not new faults.
      // It is the same sale, so a Z-report must not count it twice.
      this.#uncount.run(same.epoch, event.event_id);
      return { store: false, fault: this.#fault('content_resent', event, same.epoch, same.eventId) };
    }
    if (current === null) {
      this.#open(event, 0, 'first');
      return { store: true, fault: null };
    }
    const collision = used.find((row) => row.epoch === current.epoch);
    if (collision !== undefined) {
      this.#open(event, current.epoch + 1, 'seq_reused');
      return { store: true, fault: this.#fault('seq_reused', event, current.epoch + 1, collision.eventId) };
    }
    if (seq <= current.highSeq && Date.parse(event.occurred_at) > Date.parse(current.highOccurredAt)) {
      this.#open(event, current.epoch + 1, 'seq_restarted');
      return { store: true, fault: this.#fault('seq_restarted', event, current.epoch + 1, null) };
    }
    if (seq > current.highSeq) {
      current.highSeq = seq;
      current.highOccurredAt = event.occurred_at;
      current.maxHighSeq = Math.max(current.maxHighSeq, seq);
    }
    current.events++;
    current.lastSeenAt = event.received_at;
    this.#moved.add(current);
    return { store: true, fault: null };
  }

  /** Writes the epochs this transaction moved; call before it commits. */
  flush(): void {
    for (const state of this.#moved) {
      this.#advanceEpoch.run(
        state.highSeq,
        state.highOccurredAt,
        state.events,
        state.lastSeenAt,
        state.terminalId,
        state.epoch,
      );
    }
    this.#moved.clear();
  }

  /** The transaction failed: what the cache holds may never have been committed. */
  forget(): void {
    this.#terminals.clear();
    this.#moved.clear();
  }

  epochs(): TerminalEpoch[] {
    return this.#epochs.all() as TerminalEpoch[];
  }

  #terminal(terminalId: string): TerminalState | null {
    const cached = this.#terminals.get(terminalId);
    if (cached !== undefined) return cached;
    const row = this.#current.get(terminalId) as Omit<TerminalState, 'terminalId'> | undefined;
    if (row === undefined) return null;
    const state = { terminalId, ...row };
    this.#terminals.set(terminalId, state);
    return state;
  }

  #open(event: StoreEvent, epoch: number, openedBy: TerminalEpoch['openedBy']): void {
    const seq = event.terminal_seq;
    const at = event.received_at;
    const previous = this.#terminals.get(event.terminal_id);
    if (previous !== undefined) this.flush();
    this.#openEpoch.run(event.terminal_id, epoch, seq, seq, event.occurred_at, at, at, openedBy);
    this.#setIdentityEpoch.run(epoch, event.event_id);
    this.#terminals.set(event.terminal_id, {
      terminalId: event.terminal_id,
      epoch,
      highSeq: seq,
      highOccurredAt: event.occurred_at,
      events: 1,
      lastSeenAt: at,
      maxHighSeq: Math.max(previous?.maxHighSeq ?? seq, seq),
    });
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

interface TerminalState {
  terminalId: string;
  epoch: number;
  highSeq: number;
  highOccurredAt: string;
  events: number;
  lastSeenAt: string;
  /** The highest number of any retained epoch: above it no identity can share the number. */
  maxHighSeq: number;
}

/**
 * First 16 bytes of sha256 over the event minus what differs between re-sends. The event is the
 * contract's parse output, whose keys come in schema order whatever order the terminal sent, so
 * plain JSON.stringify is canonical (a sorted-keys encoder cost 1.6 % of the agent's CPU at 1,000 events/s).
 */
export function contentHash(event: StoreEvent): Buffer {
  const { event_id: _id, received_at: _received, ...content } = event;
  return createHash('sha256').update(JSON.stringify(content)).digest().subarray(0, 16);
}
