import { z } from 'zod';

/**
 * The hub's gate "alert rate within the bounds of the store's own recent history": raised alerts per
 * sale line (so an evening peak is not an explosion) after the store's swap, against the same rate in
 * the `history_hours` before it. The edge judges a candidate on minutes of shadow rows; this judges
 * the swapped-in model on what people received, in ClickHouse, before the next wave is assigned.
 */
export const alertRateBounds = z.strictObject({
  /** h of the store's history before its swap that set its normal rate. */
  history_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(168),
  /** The rate after the swap may be at most this many times the history's, and at least 1/this. */
  max_ratio: z.number().min(1).max(1000).default(3),
  /** Fewer alerts than this (seen, or expected) is noise, never out of bounds. */
  min_alerts: z.number().int().min(1).default(5),
  /** Sale lines after the swap before the store is judged at all (a closed store holds the gate). */
  min_sales: z.number().int().min(1).default(100),
});
export type AlertRateBounds = z.infer<typeof alertRateBounds>;
export const defaultAlertRateBounds: AlertRateBounds = alertRateBounds.parse({});

/** One store's counts from ClickHouse: before = the history window, after = since its swap. */
export interface AlertCounts {
  store_id: string;
  before_alerts: number;
  before_sales: number;
  after_alerts: number;
  after_sales: number;
}

export type AlertRateVerdict =
  | { kind: 'within'; why: string }
  | { kind: 'unjudged'; why: string }
  | { kind: 'out_of_bounds'; why: string };

const perThousand = (alerts: number, sales: number) => ((1000 * alerts) / sales).toFixed(2);

export function alertRateVerdict(counts: AlertCounts, bounds: AlertRateBounds): AlertRateVerdict {
  const { before_alerts, before_sales, after_alerts, after_sales } = counts;
  if (after_sales < bounds.min_sales) {
    return { kind: 'unjudged', why: `${after_sales} of ${bounds.min_sales} sale lines since the swap` };
  }
  const after = `${after_alerts} alerts on ${after_sales} sale lines since the swap (${perThousand(after_alerts, after_sales)}/1,000)`;
  if (before_sales === 0) {
    // No history of its own (a new store): nothing to compare with; the edge's own checks stand.
    return { kind: 'within', why: `${after}; no sales in the ${bounds.history_hours} h before` };
  }
  const expected = (before_alerts / before_sales) * after_sales;
  const history = `${perThousand(before_alerts, before_sales)}/1,000 in the ${bounds.history_hours} h before (${before_alerts} on ${before_sales})`;
  if (after_alerts >= bounds.min_alerts && after_alerts > bounds.max_ratio * expected) {
    return { kind: 'out_of_bounds', why: `${after}, above ${bounds.max_ratio}x its ${history}` };
  }
  if (expected >= bounds.max_ratio * bounds.min_alerts && after_alerts < expected / bounds.max_ratio) {
    return { kind: 'out_of_bounds', why: `${after}, below 1/${bounds.max_ratio} of its ${history}` };
  }
  return { kind: 'within', why: `${after}; ${history}` };
}
