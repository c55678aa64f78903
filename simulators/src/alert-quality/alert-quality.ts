import { hiddenCauses, type StockoutTruth } from '../ground-truth.ts';

// Scores alerts as a person receives them against the simulator's ground truth, split into the two
// jobs an alert does (issue 16):
// - detection: the shelf is already empty while the book stock says otherwise (phantom inventory,
//   unrecorded shrink). Nothing in the event stream marks the moment; only silence gives it away.
// - prediction: the shelf will be empty within the stated horizon (the stock visibly runs down:
//   demand, promotions, a missed delivery).

/** The two things an alert can tell a store assistant. */
export type AlertKind = 'hidden_empty' | 'will_run_out';

/** One raised alert, as received on the store's alert topic. */
export interface ReceivedAlert {
  storeId: string;
  sku: string;
  /** Event time the alert was raised at (epoch ms). */
  at: number;
  kind: AlertKind;
}

export interface JobScore {
  alerts: number;
  precision: number;
  stockouts: number;
  caught: number;
  recall: number;
}

export interface AlertQuality {
  alerts: number;
  alerts_per_store_day: number;
  /** Right alerts / alerts. hidden_empty is right if the shelf is empty when it arrives; will_run_out if it is empty at some instant of [at, at + horizon]. */
  precision: number;
  /** Injected stock-outs (phantom inventory, missed replenishment) with a raise in [start - horizon, end]. */
  recall: number;
  injected: { stockouts: number; caught: number };
  detection: JobScore;
  prediction: JobScore;
  /** Median of start - first raise over caught stock-outs (hours; negative = found after the shelf emptied). */
  median_lead_h: number | null;
  false_alerts: FalseAlerts;
}

/** Where the wrong alerts came from, so a precision gap can be taken apart (each wrong alert once). */
export interface FalseAlerts {
  hidden_empty: number;
  will_run_out: number;
  /** The shelf emptied after the alert, within the horizon: a hidden_empty alert that came early. */
  emptied_later: number;
  /** The shelf had been refilled within JUST_REFILLED_MS before the alert: an outage that had just ended. */
  just_refilled: number;
  /** Neither: no outage of that shelf near the alert. */
  no_outage_near: number;
}

const JUST_REFILLED_MS = 12 * 3_600_000;

export interface ScoringWindow {
  /** Alerts and stock-out starts from this instant (epoch ms) are scored: the end of the warm-up. */
  from: number;
  /** ...up to this one; ground truth after it still decides whether an alert was right. */
  until: number;
  /** The horizon a will_run_out alert promises (ms). */
  horizonMs: number;
  stores: number;
}

interface Interval {
  start: number;
  end: number;
  injected: boolean;
  hidden: boolean;
}

export function scoreAlerts(
  received: readonly ReceivedAlert[],
  truth: readonly StockoutTruth[],
  window: ScoringWindow,
): AlertQuality {
  const intervals = intervalsBySku(truth);
  const alerts = received.filter((a) => a.at >= window.from && a.at <= window.until);
  // Recall looks at raises past `until` too: a shelf emptied late on the last scored day is found the
  // next morning or not at all, and cutting that raise off would count the stock-out as missed.
  const raisesBySku = new Map<string, number[]>();
  for (const a of received.filter((x) => x.at >= window.from)) {
    const key = `${a.storeId}/${a.sku}`;
    raisesBySku.set(key, [...(raisesBySku.get(key) ?? []), a.at]);
  }
  const right = (a: ReceivedAlert): boolean => {
    const list = intervals.get(`${a.storeId}/${a.sku}`) ?? [];
    if (a.kind === 'hidden_empty') return list.some((i) => i.start <= a.at && a.at <= i.end);
    return list.some((i) => i.start <= a.at + window.horizonMs && i.end >= a.at);
  };
  const byKind = (kind: AlertKind) => alerts.filter((a) => a.kind === kind);
  const precisionOf = (list: readonly ReceivedAlert[]) =>
    list.length === 0 ? 0 : list.filter(right).length / list.length;

  const scored: { interval: Interval; raises: number[] }[] = [];
  for (const [key, list] of intervals) {
    const raises = raisesBySku.get(key) ?? [];
    list.forEach((interval, index) => {
      if (interval.start < window.from || interval.start > window.until) return;
      // An alert still open from an earlier outage of the same shelf does not count for this one.
      const previousEnd = index > 0 ? (list[index - 1]?.end ?? Number.NEGATIVE_INFINITY) : Number.NEGATIVE_INFINITY;
      const earliest = Math.max(interval.start - window.horizonMs, previousEnd);
      const inWindow = raises.filter((at) => at >= earliest && at <= interval.end).sort((a, b) => a - b);
      scored.push({ interval, raises: inWindow });
    });
  }
  const injected = scored.filter((s) => s.interval.injected);
  const hidden = scored.filter((s) => s.interval.hidden);
  const visible = scored.filter((s) => !s.interval.hidden);
  // Detection comes after the loss (before it nothing could have told); prediction at or before the start.
  const detected = hidden.filter((s) => s.raises.some((at) => at >= s.interval.start));
  const predicted = visible.filter((s) => s.raises.some((at) => at <= s.interval.start));
  const caughtInjected = injected.filter((s) => s.raises.length > 0);
  const leads = scored
    .filter((s) => s.raises.length > 0)
    .map((s) => (s.interval.start - (s.raises[0] as number)) / 3_600_000)
    .sort((a, b) => a - b);
  const days = (window.until - window.from) / 86_400_000;
  const false_alerts: FalseAlerts = {
    hidden_empty: 0,
    will_run_out: 0,
    emptied_later: 0,
    just_refilled: 0,
    no_outage_near: 0,
  };
  for (const a of alerts.filter((x) => !right(x))) {
    false_alerts[a.kind]++;
    const list = intervals.get(`${a.storeId}/${a.sku}`) ?? [];
    if (list.some((i) => i.start > a.at && i.start <= a.at + window.horizonMs)) false_alerts.emptied_later++;
    else if (list.some((i) => i.end < a.at && a.at - i.end <= JUST_REFILLED_MS)) false_alerts.just_refilled++;
    else false_alerts.no_outage_near++;
  }
  return {
    alerts: alerts.length,
    alerts_per_store_day: days > 0 ? alerts.length / window.stores / days : 0,
    precision: precisionOf(alerts),
    recall: ratio(caughtInjected.length, injected.length),
    injected: { stockouts: injected.length, caught: caughtInjected.length },
    detection: {
      alerts: byKind('hidden_empty').length,
      precision: precisionOf(byKind('hidden_empty')),
      stockouts: hidden.length,
      caught: detected.length,
      recall: ratio(detected.length, hidden.length),
    },
    prediction: {
      alerts: byKind('will_run_out').length,
      precision: precisionOf(byKind('will_run_out')),
      stockouts: visible.length,
      caught: predicted.length,
      recall: ratio(predicted.length, visible.length),
    },
    median_lead_h: median(leads),
    false_alerts,
  };
}

function intervalsBySku(truth: readonly StockoutTruth[]): Map<string, Interval[]> {
  const bySku = new Map<string, Interval[]>();
  for (const s of truth) {
    const key = `${s.store_id}/${s.sku}`;
    const list = bySku.get(key) ?? [];
    list.push({
      start: Date.parse(s.start),
      end: s.end === null ? Number.POSITIVE_INFINITY : Date.parse(s.end),
      injected: s.injected,
      hidden: hiddenCauses.has(s.cause),
    });
    bySku.set(key, list);
  }
  for (const list of bySku.values()) list.sort((a, b) => a.start - b.start);
  return bySku;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
