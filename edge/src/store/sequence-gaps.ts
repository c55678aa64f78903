import type Database from 'better-sqlite3';

/** Sequence numbers of one terminal's current numbering epoch that never arrived (issue 14). */
export interface SequenceGap {
  terminalId: string;
  epoch: number;
  fromSeq: number;
  toSeq: number;
  /** When the first event after the gap arrived: the gap has been open since then. */
  openSince: string;
}

// A terminal that lost hundreds of messages is one fault; the first ranges name it well enough.
const maxGapsPerTerminal = 20;

/**
 * Missing `terminal_seq` ranges, read from the identities the store remembers (event_identities),
 * within each terminal's newest epoch only: a counter restart opens a new epoch, so the jump back to 1
 * is never a gap. A late re-send fills its number and the gap closes by itself. Numbers older than
 * the dedupe memory (dedupe.retentionDays) are outside what can be checked.
 */
export class SequenceGaps {
  readonly #currentEpochs: Database.Statement;
  readonly #gaps: Database.Statement;

  constructor(db: Database.Database) {
    this.#currentEpochs = db.prepare(
      `SELECT terminal_id AS terminalId, max(epoch) AS epoch FROM terminal_epochs GROUP BY terminal_id ORDER BY terminal_id`,
    );
    // Walks the (terminal_id, terminal_seq) index in order; LAG finds each jump of more than one.
    this.#gaps = db.prepare(
      `SELECT previous + 1 AS fromSeq, terminal_seq - 1 AS toSeq, received_s AS openSinceS
       FROM (SELECT terminal_seq, received_s, LAG(terminal_seq) OVER (ORDER BY terminal_seq) AS previous
             FROM event_identities WHERE terminal_id = ? AND epoch = ?)
       WHERE previous IS NOT NULL AND terminal_seq > previous + 1
       ORDER BY fromSeq LIMIT ${maxGapsPerTerminal}`,
    );
  }

  open(): SequenceGap[] {
    const epochs = this.#currentEpochs.all() as { terminalId: string; epoch: number }[];
    return epochs.flatMap(({ terminalId, epoch }) =>
      (this.#gaps.all(terminalId, epoch) as { fromSeq: number; toSeq: number; openSinceS: number }[]).map((gap) => ({
        terminalId,
        epoch,
        fromSeq: gap.fromSeq,
        toSeq: gap.toSeq,
        openSince: new Date(gap.openSinceS * 1000).toISOString(),
      })),
    );
  }
}
