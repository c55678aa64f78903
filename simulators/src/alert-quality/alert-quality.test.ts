import { describe, expect, it } from 'vitest';
import type { StockoutCause, StockoutTruth } from '../ground-truth.ts';
import { type ReceivedAlert, scoreAlerts } from './alert-quality.ts';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-03-02T00:00:00Z');
const out = (sku: string, startH: number, endH: number | null, cause: StockoutCause): StockoutTruth => ({
  store_id: 's1',
  sku,
  start: new Date(t0 + startH * HOUR).toISOString(),
  end: endH === null ? null : new Date(t0 + endH * HOUR).toISOString(),
  cause,
  injected: cause === 'phantom_inventory' || cause === 'missed_replenishment',
  lost_units: 1,
});
const alert = (sku: string, atH: number, kind: ReceivedAlert['kind']): ReceivedAlert => ({
  storeId: 's1',
  sku,
  at: t0 + atH * HOUR,
  kind,
});
const window = { from: t0, until: t0 + 48 * HOUR, horizonMs: 24 * HOUR, stores: 1 };

describe('scoreAlerts', () => {
  it('judges each kind by its own promise and splits recall into detection and prediction', () => {
    const truth = [
      out('PHANTOM', 2, 10, 'phantom_inventory'),
      out('RUNOUT', 20, 30, 'demand_variability'),
      out('MISSED', 30, null, 'missed_replenishment'),
    ];
    const alerts = [
      alert('PHANTOM', 1, 'hidden_empty'), // before the loss: the shelf was full, a wasted walk
      alert('PHANTOM', 3, 'hidden_empty'), // found 1 h after the loss
      alert('RUNOUT', 10, 'will_run_out'), // 10 h ahead, within 24 h
      alert('MISSED', 2, 'will_run_out'), // 28 h ahead: outside the promise, and too early to catch it
      alert('NEVER', 5, 'will_run_out'),
    ];
    const score = scoreAlerts(alerts, truth, window);
    expect(score).toMatchObject({
      alerts: 5,
      precision: 2 / 5,
      recall: 1 / 2, // PHANTOM caught, MISSED not
      injected: { stockouts: 2, caught: 1 },
      detection: { alerts: 2, precision: 1 / 2, stockouts: 1, caught: 1, recall: 1 },
      prediction: { alerts: 3, precision: 1 / 3, stockouts: 2, caught: 1, recall: 1 / 2 },
    });
    expect(score.alerts_per_store_day).toBe(2.5);
    // Lead of the caught ones: PHANTOM -> 2 - 1 = +1 h (the first raise in [start - 24 h, end]), RUNOUT +10 h.
    expect(score.median_lead_h).toBe(5.5);
    // PHANTOM at 1 h: emptied 1 h later; MISSED at 2 h and NEVER: no outage of theirs near.
    expect(score.false_alerts).toEqual({
      hidden_empty: 1,
      will_run_out: 2,
      emptied_later: 1,
      just_refilled: 0,
      no_outage_near: 2,
    });
  });

  it('tells a wrong alert on a shelf refilled hours ago from one with no outage near', () => {
    const truth = [out('A', 1, 5, 'phantom_inventory')];
    const score = scoreAlerts([alert('A', 10, 'hidden_empty'), alert('A', 40, 'hidden_empty')], truth, window);
    expect(score.false_alerts).toMatchObject({ just_refilled: 1, no_outage_near: 1 });
  });

  it('never credits an alert left over from an earlier outage of the same shelf', () => {
    const truth = [out('A', 5, 6, 'demand_variability'), out('A', 8, 9, 'demand_variability')];
    const score = scoreAlerts([alert('A', 4, 'will_run_out')], truth, window);
    expect(score.prediction).toMatchObject({ stockouts: 2, caught: 1 });
  });

  it('scores only alerts and stock-outs inside the window', () => {
    const truth = [out('A', -5, 1, 'phantom_inventory'), out('B', 50, 52, 'phantom_inventory')];
    const score = scoreAlerts([alert('A', -1, 'hidden_empty'), alert('B', 51, 'hidden_empty')], truth, window);
    expect(score).toMatchObject({ alerts: 0, injected: { stockouts: 0 }, precision: 0, recall: 0 });
  });

  it('credits a raise after the window to a stock-out that started inside it, without judging the raise', () => {
    const truth = [out('LATE', 46, 60, 'phantom_inventory')];
    const score = scoreAlerts([alert('LATE', 50, 'hidden_empty')], truth, window);
    expect(score).toMatchObject({ alerts: 0, injected: { stockouts: 1, caught: 1 }, recall: 1 });
    expect(score.detection).toMatchObject({ alerts: 0, stockouts: 1, caught: 1 });
  });
});
