import type { FeedbackAnswer, PosEvent } from '@tillgate/shared';
import type { StockoutTruth } from '../ground-truth.ts';
import type { Rng } from '../random.ts';
import type { ReceivedAlert } from './alert-quality.ts';

// The labels a real chain has (MISSION.md "Machine learning"): shelf counts that find the shelf empty
// and staff answers to alerts. The simulator's ground truth decides only what the staff see on the
// shelf (with their error rate); everything else is what the hub would have received.

/** One observation that the shelf was empty at an instant: a label interval with start = end. */
export interface ObservedEmpty {
  store_id: string;
  sku: string;
  at: number;
  source: 'shelf_count' | 'staff_feedback';
}

/** What a person at the shelf reports ("fixed" is a later answer, after a refill). */
export type ShelfAnswer = Extract<FeedbackAnswer, 'empty' | 'not_empty'>;

export interface StaffAnswerOptions {
  /** Share of raised alerts someone walks to the shelf for and answers (0..1). */
  answerShare: number;
  /** Probability an answer is wrong (empty <-> not_empty). */
  errorRate: number;
}

/**
 * What one member of staff answers for one alert, or null when nobody walks to the shelf. The live
 * staff (staff-answers.ts) and the training labels use this one definition.
 */
export function staffAnswer(rng: Rng, shelfEmpty: boolean, options: StaffAnswerOptions): ShelfAnswer | null {
  if (!rng.chance(options.answerShare)) return null;
  const truth: ShelfAnswer = shelfEmpty ? 'empty' : 'not_empty';
  if (!rng.chance(options.errorRate)) return truth;
  return truth === 'empty' ? 'not_empty' : 'empty';
}

/** Shelf counts that found nothing on the shelf. */
export function emptyShelfCounts(events: readonly PosEvent[]): ObservedEmpty[] {
  return events.flatMap((e) =>
    e.type === 'shelf_count' && e.counted_quantity <= 0
      ? [{ store_id: e.store_id, sku: e.sku, at: Date.parse(e.occurred_at), source: 'shelf_count' as const }]
      : [],
  );
}

export interface FeedbackCounts {
  alerts: number;
  answered: number;
  empty: number;
  not_empty: number;
  wrong: number;
}

/** Staff answers to the raised alerts; the "empty" ones become labels ("not_empty" carries none: see models/README.md). */
export function staffFeedbackLabels(
  alerts: readonly ReceivedAlert[],
  truth: readonly StockoutTruth[],
  rng: Rng,
  options: StaffAnswerOptions,
): { labels: ObservedEmpty[]; counts: FeedbackCounts } {
  const shelfEmpty = shelfEmptyAt(truth);
  const counts: FeedbackCounts = { alerts: alerts.length, answered: 0, empty: 0, not_empty: 0, wrong: 0 };
  const labels: ObservedEmpty[] = [];
  for (const a of [...alerts].sort((x, y) => x.at - y.at)) {
    const empty = shelfEmpty(a.storeId, a.sku, a.at);
    const answer = staffAnswer(rng, empty, options);
    if (answer === null) continue;
    counts.answered++;
    counts[answer]++;
    if ((answer === 'empty') !== empty) counts.wrong++;
    if (answer === 'empty') labels.push({ store_id: a.storeId, sku: a.sku, at: a.at, source: 'staff_feedback' });
  }
  return { labels, counts };
}

/** What a person at the shelf would see: is it empty at `at` (epoch ms) by the ground truth? */
export function shelfEmptyAt(truth: readonly StockoutTruth[]): (storeId: string, sku: string, at: number) => boolean {
  const bySku = new Map<string, { start: number; end: number }[]>();
  for (const s of truth) {
    const key = `${s.store_id}/${s.sku}`;
    const end = s.end === null ? Number.POSITIVE_INFINITY : Date.parse(s.end);
    bySku.set(key, [...(bySku.get(key) ?? []), { start: Date.parse(s.start), end }]);
  }
  return (storeId, sku, at) => (bySku.get(`${storeId}/${sku}`) ?? []).some((i) => i.start <= at && at <= i.end);
}
