import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope.ts';
import { currency, identifier, timestamp } from './primitives.ts';

// The end-of-day Z-report (issue 14): a terminal's own totals of a business day, which the edge and
// the hub each reconcile against what they received, so a store can see at closing that nothing was lost.

/** The event types a Z-report counts, in the contract's order (pos-event.ts). */
export const zReportCountedTypes = [
  'sale',
  'return',
  'product_scan',
  'price_change',
  'shelf_count',
  'inventory_adjustment',
  'supplier_delivery',
  'foot_traffic',
] as const;
export type ZReportCountedType = (typeof zReportCountedTypes)[number];

const count = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .nonnegative(`${what} must not be negative`)
    .max(10_000_000, `${what} above 10,000,000 is not plausible for one terminal and day`);

/** Sales totals of one terminal and day, in major units. A day above 100 million is a units mistake. */
const dayAmount = (what: string, min: number) =>
  z
    .number({ error: `${what} must be a number` })
    .min(min, `${what} must not be ${min === 0 ? 'negative' : `below ${min}`}`)
    .max(100_000_000, `${what} above 100,000,000 is not plausible for one terminal and day`)
    .refine(Number.isFinite, `${what} must be finite`);

const seqNumber = (what: string) =>
  z
    .number({ error: `${what} must be a number or null` })
    .int(`${what} must be a whole number`)
    .nonnegative(`${what} must not be negative`)
    .max(Number.MAX_SAFE_INTEGER)
    .nullable();

/** Events per type; a type the terminal never sent may be left out (0). */
export const zReportCounts = z.strictObject(
  Object.fromEntries(zReportCountedTypes.map((type) => [type, count(`counts.${type}`).default(0)])) as Record<
    (typeof zReportCountedTypes)[number],
    z.ZodDefault<ReturnType<typeof count>>
  >,
);

/** The totals both sides compare; what a terminal reports and what the edge / hub found share this shape. */
export const zReportTotals = {
  counts: zReportCounts,
  /** Sale events (one basket each). */
  baskets: count('baskets'),
  /** Σ quantity × unit_price over the lines of the day's sales. */
  gross_sales: dayAmount('gross_sales', 0),
  /** gross_sales minus Σ quantity × unit_price over the lines of the day's returns. */
  net_sales: dayAmount('net_sales', -100_000_000),
};

/**
 * What a terminal publishes at close on tillgate/<store>/pos/<terminal>/z-report. It carries no
 * terminal_seq of its own (it is not an event): it names the day's numbers, first_seq..last_seq, and
 * the business day's span, opened_at..closed_at, so both sides count the same events whatever the
 * time zone or a day that runs past midnight. first_seq and last_seq are null on a day without events.
 */
export const zReportBody = z.strictObject({
  schema: z.literal(SCHEMA_VERSION, { error: `schema must be ${SCHEMA_VERSION} (contract v1)` }),
  type: z.literal('z_report', { error: 'type must be z_report' }),
  /** Stable across re-sends of the same report (a corrected report needs a new id). */
  report_id: identifier('report_id'),
  store_id: identifier('store_id'),
  terminal_id: identifier('terminal_id'),
  business_day: z.iso.date({ error: 'business_day must be a date (YYYY-MM-DD)' }),
  opened_at: timestamp,
  closed_at: timestamp,
  first_seq: seqNumber('first_seq'),
  last_seq: seqNumber('last_seq'),
  currency,
  ...zReportTotals,
});

export const zReport = zReportBody.superRefine((report, context) => {
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
  if (Date.parse(report.closed_at) < Date.parse(report.opened_at)) {
    issue('closed_at', `${report.closed_at} is before opened_at ${report.opened_at}`);
  }
  if ((report.first_seq === null) !== (report.last_seq === null)) {
    issue('last_seq', 'first_seq and last_seq are both numbers, or both null on a day without events');
  } else if (report.first_seq !== null && report.last_seq !== null && report.last_seq < report.first_seq) {
    issue('last_seq', `${report.last_seq} is below first_seq ${report.first_seq}`);
  }
  const events = zReportCountedTypes.reduce((sum, type) => sum + report.counts[type], 0);
  if (report.first_seq === null && events > 0) issue('first_seq', `is null but counts add up to ${events} events`);
  if (report.baskets !== report.counts.sale) {
    issue('baskets', `is ${report.baskets} but counts.sale is ${report.counts.sale}; every sale event is one basket`);
  }
});
export type ZReport = z.infer<typeof zReport>;

/** The report as the edge stores and forwards it: stamped with the edge's clock. */
export const receivedZReport = zReportBody.extend({ received_at: timestamp });
export type ReceivedZReport = z.infer<typeof receivedZReport>;

export const reconciliationSides = ['edge', 'hub'] as const;
export const reconciliationOutcomes = ['match', 'mismatch'] as const;

/** A range of numbers inside first_seq..last_seq that the reconciling side never received. */
export const seqRange = z.strictObject({
  from_seq: z.number().int().nonnegative(),
  to_seq: z.number().int().nonnegative(),
});

/** One total that differs: the report's figure and what the reconciling side found. */
export const totalDifference = z.strictObject({
  /** counts.<type>, baskets, gross_sales or net_sales. */
  field: z.string().min(1).max(64),
  reported: z.number(),
  found: z.number(),
});

/** Ranges listed per result; the count in missing_events is always complete. */
export const maxMissingRanges = 50;

/**
 * The outcome of reconciling one report on one side: the edge answers it to the terminal (on its
 * replies topic) and forwards it; the hub computes its own after ingest. Both land in ClickHouse
 * `reconciliation`.
 */
export const zReportResult = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  kind: z.literal('z_report_result'),
  report_id: identifier('report_id'),
  store_id: identifier('store_id'),
  terminal_id: identifier('terminal_id'),
  business_day: z.iso.date(),
  side: z.enum(reconciliationSides),
  outcome: z.enum(reconciliationOutcomes),
  reconciled_at: timestamp,
  /** Numbers of first_seq..last_seq with no event at this side (at most maxMissingRanges ranges). */
  missing_seqs: z.array(seqRange).max(maxMissingRanges),
  missing_events: z.number().int().nonnegative(),
  differences: z.array(totalDifference).max(zReportCountedTypes.length + 3),
  /** What this side found in the report's span, with the report's shape. */
  found: z.strictObject(zReportTotals),
});
export type ZReportResult = z.infer<typeof zReportResult>;
export type ZReportTotals = ZReportResult['found'];

/** What the edge forwards on the z-reports topic: the report and the edge's own result. */
export const zReportForward = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  report: receivedZReport,
  edge_result: zReportResult,
});
export type ZReportForward = z.infer<typeof zReportForward>;
