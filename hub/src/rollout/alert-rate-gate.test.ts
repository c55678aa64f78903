import { describe, expect, it } from 'vitest';
import { alertRateVerdict, defaultAlertRateBounds } from './alert-rate-gate.ts';

// min_alerts 5, max_ratio 3, min_sales 100 (the defaults).
const verdict = (before_alerts: number, before_sales: number, after_alerts: number, after_sales: number) =>
  alertRateVerdict({ store_id: 's', before_alerts, before_sales, after_alerts, after_sales }, defaultAlertRateBounds)
    .kind;

describe('alert-rate gate against the store its own history', () => {
  it('judges nobody before min_sales sale lines have been sold since the swap', () => {
    expect(verdict(0, 10_000, 50, 99)).toBe('unjudged');
  });
  it('flags an explosion, but not noise under min_alerts', () => {
    expect(verdict(0, 10_000, 5, 1_000)).toBe('out_of_bounds'); // never alerted, now 5
    expect(verdict(0, 10_000, 4, 1_000)).toBe('within');
    expect(verdict(100, 10_000, 31, 1_000)).toBe('out_of_bounds'); // 10 expected, > 3x
    expect(verdict(100, 10_000, 30, 1_000)).toBe('within');
  });
  it('flags a model that went silent where many alerts were expected', () => {
    expect(verdict(300, 10_000, 9, 1_000)).toBe('out_of_bounds'); // 30 expected, < 1/3
    expect(verdict(300, 10_000, 10, 1_000)).toBe('within');
    expect(verdict(100, 10_000, 0, 1_000)).toBe('within'); // 10 expected: under 3 x min_alerts, noise
  });
  it('scales with trade, so an evening peak is not an explosion', () => {
    expect(verdict(100, 10_000, 60, 10_000)).toBe('within'); // 6x the alerts on 10x the sales
  });
  it('lets a store with no history of its own pass on the edge its own checks', () => {
    expect(verdict(0, 0, 50, 1_000)).toBe('within');
  });
});
