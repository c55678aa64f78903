import { describe, expect, it } from 'vitest';
import type { StockoutTruth } from '../ground-truth.ts';
import { Rng } from '../random.ts';
import { staffAnswer, staffFeedbackLabels } from './observed-labels.ts';

const t0 = Date.parse('2026-05-01T10:00:00Z');
const truth: StockoutTruth[] = [
  {
    store_id: 's1',
    sku: 'A',
    start: new Date(t0).toISOString(),
    end: new Date(t0 + 3_600_000).toISOString(),
    cause: 'phantom_inventory',
    injected: true,
    lost_units: 2,
  },
];
const alert = (sku: string, at: number) => ({ storeId: 's1', sku, at, kind: 'hidden_empty' as const });

describe('observed labels', () => {
  it('labels only what staff found empty, truthfully when they make no mistakes', () => {
    const { labels, counts } = staffFeedbackLabels(
      [alert('A', t0 + 60_000), alert('B', t0 + 60_000), alert('A', t0 + 2 * 3_600_000)],
      truth,
      new Rng('t'),
      { answerShare: 1, errorRate: 0 },
    );
    expect(labels).toEqual([{ store_id: 's1', sku: 'A', at: t0 + 60_000, source: 'staff_feedback' }]);
    expect(counts).toEqual({ alerts: 3, answered: 3, empty: 1, not_empty: 2, wrong: 0 });
  });

  it('answers the share of alerts it is told to and gets the error rate wrong', () => {
    const rng = new Rng('share');
    const answers = Array.from({ length: 4000 }, () => staffAnswer(rng, true, { answerShare: 0.5, errorRate: 0.2 }));
    const answered = answers.filter((a) => a !== null);
    expect(answered.length / answers.length).toBeCloseTo(0.5, 1);
    expect(answered.filter((a) => a === 'not_empty').length / answered.length).toBeCloseTo(0.2, 1);
  });
});
