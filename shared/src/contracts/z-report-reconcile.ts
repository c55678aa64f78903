import type { PosEvent } from './pos-event.ts';
import {
  maxMissingRanges,
  type ReceivedZReport,
  type ZReport,
  type ZReportResult,
  type ZReportTotals,
  zReportCountedTypes,
} from './z-report.ts';

/** What one side found for a report's terminal, numbers and span: the totals and the numbers it lacks. */
export interface ZReportFindings {
  found: ZReportTotals;
  /** Missing numbers of first_seq..last_seq as ranges, in order (at most maxMissingRanges are kept). */
  missingRanges: { from_seq: number; to_seq: number }[];
  /** Every missing number, counted (not only the listed ranges). */
  missingEvents: number;
}

/** Money is compared in cents: a POS rounds each line, a float sum of thousands of lines drifts. */
export const toCents = (amount: number): number => Math.round(amount * 100);

/**
 * Compares a Z-report with what one side found, the same way at the edge and at the hub: every count,
 * baskets, gross and net sales (to the cent), and the numbers of first_seq..last_seq it never received.
 */
export function reconcileZReport(
  report: ZReport | ReceivedZReport,
  findings: ZReportFindings,
  side: ZReportResult['side'],
  at: Date,
): ZReportResult {
  const { found } = findings;
  const differences: ZReportResult['differences'] = [];
  for (const type of zReportCountedTypes) {
    if (report.counts[type] !== found.counts[type]) {
      differences.push({ field: `counts.${type}`, reported: report.counts[type], found: found.counts[type] });
    }
  }
  if (report.baskets !== found.baskets)
    differences.push({ field: 'baskets', reported: report.baskets, found: found.baskets });
  for (const field of ['gross_sales', 'net_sales'] as const) {
    if (toCents(report[field]) !== toCents(found[field])) {
      differences.push({ field, reported: report[field], found: found[field] });
    }
  }
  return {
    schema: 1,
    kind: 'z_report_result',
    report_id: report.report_id,
    store_id: report.store_id,
    terminal_id: report.terminal_id,
    business_day: report.business_day,
    side,
    outcome: differences.length === 0 && findings.missingEvents === 0 ? 'match' : 'mismatch',
    reconciled_at: at.toISOString(),
    missing_seqs: findings.missingRanges.slice(0, maxMissingRanges),
    missing_events: findings.missingEvents,
    differences,
    found,
  };
}

/** Missing numbers of first..last given the numbers present, sorted ascending (duplicates allowed). */
export function missingSeqRanges(
  first: number | null,
  last: number | null,
  present: Iterable<number>,
): Pick<ZReportFindings, 'missingRanges' | 'missingEvents'> {
  if (first === null || last === null) return { missingRanges: [], missingEvents: 0 };
  const ranges: ZReportFindings['missingRanges'] = [];
  let missingEvents = 0;
  let expected = first;
  const note = (from: number, to: number) => {
    missingEvents += to - from + 1;
    if (ranges.length < maxMissingRanges) ranges.push({ from_seq: from, to_seq: to });
  };
  for (const seq of present) {
    if (seq < expected) continue;
    if (seq > last) break;
    if (seq > expected) note(expected, seq - 1);
    expected = seq + 1;
  }
  if (expected <= last) note(expected, last);
  return { missingRanges: ranges, missingEvents };
}

/** The cents one event adds to gross sales and to returns (Σ quantity × unit_price, each line to the cent). */
export function eventAmountCents(event: PosEvent): { grossCents: number; returnedCents: number } {
  if (event.type === 'sale') return { grossCents: linesCents(event.lines), returnedCents: 0 };
  if (event.type === 'return') return { grossCents: 0, returnedCents: linesCents(event.lines) };
  return { grossCents: 0, returnedCents: 0 };
}

const linesCents = (lines: readonly { quantity: number; unit_price: number }[]): number =>
  lines.reduce((sum, line) => sum + toCents(line.quantity * line.unit_price), 0);

/** Totals from per-type counts and cent sums (what the edge and hub queries return). */
export function totalsFromCents(
  counts: Partial<Record<(typeof zReportCountedTypes)[number], number>>,
  grossCents: number,
  returnedCents: number,
): ZReportTotals {
  const full = Object.fromEntries(
    zReportCountedTypes.map((type) => [type, counts[type] ?? 0]),
  ) as ZReportTotals['counts'];
  return {
    counts: full,
    baskets: full.sale,
    gross_sales: grossCents / 100,
    net_sales: (grossCents - returnedCents) / 100,
  };
}

/** The totals of a list of events, as a terminal computes its Z-report (simulators, conformance kit). */
export function zReportTotalsOf(events: readonly PosEvent[]): ZReportTotals {
  const counts: Partial<Record<PosEvent['type'], number>> = {};
  let grossCents = 0;
  let returnedCents = 0;
  for (const event of events) {
    counts[event.type] = (counts[event.type] ?? 0) + 1;
    const amount = eventAmountCents(event);
    grossCents += amount.grossCents;
    returnedCents += amount.returnedCents;
  }
  return totalsFromCents(counts, grossCents, returnedCents);
}
