import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePosPayload } from './parse-pos-payload.ts';
import { parseZReportPayload } from './parse-z-report.ts';
import type { PosEvent } from './pos-event.ts';
import { zReportResult } from './z-report.ts';
import { missingSeqRanges, reconcileZReport, zReportTotalsOf } from './z-report-reconcile.ts';

// Golden test of the Z-report contract (issue 14): the published example validates, reconciles as
// "match" against the published events of its terminal, and as the published mismatch without the return.
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const read = (file: string): string => readFileSync(`${examples}${file}`, 'utf8');
const receivedAt = new Date('2026-11-25T20:00:00.000Z');
const limits = { maxBytes: 64 * 1024, futureToleranceMs: 5 * 60_000 };
const reportText = read('z-report/report.json');
const report = JSON.parse(reportText) as Record<string, unknown>;

const terminalEvents = (): PosEvent[] =>
  readdirSync(examples)
    .filter((file) => file.endsWith('.json'))
    .map((file) => parsePosPayload(read(file), new Date('2026-11-25T16:45:00.000Z')))
    .flatMap((parsed) => (parsed.ok && parsed.event.terminal_id === 'pos-01' ? [parsed.event] : []))
    .sort((a, b) => a.terminal_seq - b.terminal_seq);

function reconcileWith(events: readonly PosEvent[]) {
  const parsed = parseZReportPayload(reportText, receivedAt, limits);
  if (!parsed.ok) throw parsed.violation;
  const missing = missingSeqRanges(
    parsed.report.first_seq,
    parsed.report.last_seq,
    events.map((event) => event.terminal_seq),
  );
  return reconcileZReport(
    parsed.report,
    { found: zReportTotalsOf(events), ...missing },
    'edge',
    new Date('2026-11-25T20:00:05.000Z'),
  );
}

describe('z_report example', () => {
  it('validates and is stamped with the edge clock', () => {
    const parsed = parseZReportPayload(reportText, receivedAt, limits);
    expect(parsed.ok ? parsed.report.received_at : parsed.violation.message).toBe(receivedAt.toISOString());
  });

  it('matches the published events of its terminal (sale.json .. supplier_delivery.json)', () => {
    const result = reconcileWith(terminalEvents());
    expect(result).toMatchObject({ outcome: 'match', missing_seqs: [], missing_events: 0, differences: [] });
  });

  it('without the return names seq 124 and the totals that differ (result-missing-return.json)', () => {
    const result = reconcileWith(terminalEvents().filter((event) => event.type !== 'return'));
    expect(result).toEqual(zReportResult.parse(JSON.parse(read('z-report/result-missing-return.json'))));
  });
});

describe('bad z_reports are rejected with the field named', () => {
  const cases: Array<[string, string | Record<string, unknown>, string, RegExp]> = [
    ['non-JSON', 'Z;pos-01;2026-11-25', '(payload)', /not valid JSON/],
    ['a count as text', { ...report, counts: { sale: '1' } }, 'counts.sale', /must be a number/],
    ['a fractional count', { ...report, counts: { sale: 1.5 } }, 'counts.sale', /whole number/],
    ['gross as text', { ...report, gross_sales: '4.87' }, 'gross_sales', /must be a number/],
    ['negative gross', { ...report, gross_sales: -1 }, 'gross_sales', /not be negative/],
    ['an unknown count', { ...report, counts: { refunds: 1 } }, 'counts.refunds', /not a field/],
    ['no business_day', { ...report, business_day: undefined }, 'business_day', /YYYY-MM-DD/],
    ['a day in the future', { ...report, business_day: '2026-11-27' }, 'business_day', /has not begun/],
    ['closed in the future', { ...report, closed_at: '2026-11-25T23:00:00.000+01:00' }, 'closed_at', /ahead/],
    ['closed before it opened', { ...report, closed_at: '2026-11-25T06:00:00.000+01:00' }, 'closed_at', /before/],
    ['last_seq below first_seq', { ...report, last_seq: 100 }, 'last_seq', /below first_seq/],
    ['baskets not the sales', { ...report, baskets: 3 }, 'baskets', /counts.sale is 1/],
    ['wrong type', { ...report, type: 'sale' }, 'type', /z_report/],
  ];

  it.each(cases)('%s', (_name, payload, field, reason) => {
    const parsed = parseZReportPayload(
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      receivedAt,
      limits,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.violation.field).toBe(field);
    expect(parsed.violation.reason).toMatch(reason);
    expect(parsed.violation.code).toBe('TG_SHARED_CONTRACT_VIOLATION');
  });
});

describe('missingSeqRanges', () => {
  it('names each missing range of first..last, ignoring numbers outside it and repeats', () => {
    expect(missingSeqRanges(10, 20, [8, 10, 11, 11, 14, 15, 19, 25])).toEqual({
      missingRanges: [
        { from_seq: 12, to_seq: 13 },
        { from_seq: 16, to_seq: 18 },
        { from_seq: 20, to_seq: 20 },
      ],
      missingEvents: 6,
    });
    expect(missingSeqRanges(null, null, [])).toEqual({ missingRanges: [], missingEvents: 0 });
  });
});
