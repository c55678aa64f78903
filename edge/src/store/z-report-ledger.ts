import {
  missingSeqRanges,
  type ReceivedZReport,
  totalsFromCents,
  type ZReportFindings,
  type ZReportForward,
  type ZReportResult,
} from '@tillgate/shared';
import type Database from 'better-sqlite3';

/**
 * What the edge holds for end-of-day reconciliation (issue 14): the stored events of a terminal
 * inside a report's numbers (first_seq..last_seq) and span (opened_at..closed_at), read from the
 * identities the store remembers (event_identities, migration v3), and the reports received.
 * Both bounds, so a number the terminal reused on another day is not counted in this one.
 * The dedupe memory's retention (dedupe.retentionDays) is the horizon a report can be checked in.
 */
export class ZReportLedger {
  readonly #totals: Database.Statement;
  readonly #seqs: Database.Statement;
  readonly #putReport: Database.Statement;
  readonly #recent: Database.Statement;

  constructor(db: Database.Database) {
    const span = `FROM event_identities
       WHERE terminal_id = ? AND terminal_seq BETWEEN ? AND ? AND occurred_ms BETWEEN ? AND ? AND type IS NOT NULL`;
    this.#totals = db.prepare(
      `SELECT type, count(*) AS events, sum(gross_cents) AS grossCents, sum(returned_cents) AS returnedCents
       ${span} GROUP BY type`,
    );
    // Walks the (terminal_id, terminal_seq) index of the range: a day of one till is a few thousand rows.
    this.#seqs = db.prepare(`SELECT DISTINCT terminal_seq ${span} ORDER BY terminal_seq`).pluck();
    this.#putReport = db.prepare(
      `INSERT INTO z_reports (report_id, terminal_id, business_day, outcome, reconciled_at, result)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (report_id) DO UPDATE SET outcome = excluded.outcome, reconciled_at = excluded.reconciled_at,
         result = excluded.result`,
    );
    this.#recent = db.prepare('SELECT result FROM z_reports ORDER BY reconciled_at DESC LIMIT ?').pluck();
  }

  findings(report: ReceivedZReport): ZReportFindings {
    const first = report.first_seq ?? 0;
    const last = report.last_seq ?? -1;
    const args = [report.terminal_id, first, last, Date.parse(report.opened_at), Date.parse(report.closed_at)];
    const rows = this.#totals.all(...args) as {
      type: string;
      events: number;
      grossCents: number;
      returnedCents: number;
    }[];
    const counts = Object.fromEntries(rows.map((row) => [row.type, row.events]));
    const grossCents = rows.reduce((sum, row) => sum + row.grossCents, 0);
    const returnedCents = rows.reduce((sum, row) => sum + row.returnedCents, 0);
    const missing = missingSeqRanges(report.first_seq, report.last_seq, this.#seqs.all(...args) as number[]);
    return { found: totalsFromCents(counts, grossCents, returnedCents), ...missing };
  }

  /** Records the latest result of a report (inside the caller's transaction). */
  record(forward: ZReportForward): void {
    const result = forward.edge_result;
    this.#putReport.run(
      result.report_id,
      result.terminal_id,
      result.business_day,
      result.outcome,
      result.reconciled_at,
      JSON.stringify(result),
    );
  }

  recent(limit: number): ZReportResult[] {
    return (this.#recent.all(limit) as string[]).map((text) => JSON.parse(text) as ZReportResult);
  }
}
