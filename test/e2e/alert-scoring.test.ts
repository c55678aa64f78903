import type { PosEvent } from '@tillgate/shared';
import { describe, expect, it } from 'vitest';
import type { StockoutTruth } from '../../simulators/src/ground-truth.ts';
import { bookStockAlerts, scoreAlerts } from './alert-scoring.ts';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-01-05T10:00:00Z');
const stockout = (sku: string, startH: number, endH: number | null, injected = true): StockoutTruth => ({
  store_id: 's1',
  sku,
  start: new Date(t0 + startH * HOUR).toISOString(),
  end: endH === null ? null : new Date(t0 + endH * HOUR).toISOString(),
  cause: injected ? 'phantom_inventory' : 'demand_variability',
  injected,
  lost_units: 3,
});

describe('scoreAlerts', () => {
  it('counts an alert right within the horizon before or during a stock-out, and an injected one caught', () => {
    const truth = [stockout('A-001', 2, 5), stockout('B-001', 1, null), stockout('C-001', 1, 2, false)];
    const alerts = [
      { storeId: 's1', sku: 'A-001', at: t0 }, // 2 h early: inside a 4 h horizon
      { storeId: 's1', sku: 'B-001', at: t0 + 10 * HOUR }, // still open at `until`
      { storeId: 's1', sku: 'D-001', at: t0 }, // never out: a false alarm
    ];
    const score = scoreAlerts(alerts, truth, 4 * HOUR, t0 + 12 * HOUR);
    expect(score).toEqual({
      alerts: 3,
      truePositives: 2,
      precision: 2 / 3,
      injectedStockouts: 2,
      injectedCaught: 2,
      recall: 1,
    });
    expect(scoreAlerts(alerts, truth, HOUR, t0 + 12 * HOUR).injectedCaught).toBe(1);
  });
});

describe('bookStockAlerts', () => {
  const base = { schema: 1 as const, store_id: 's1', terminal_id: 'bo-01' };
  const at = (h: number) => new Date(t0 + h * HOUR).toISOString();
  it('alerts when the stock implied by the events reaches zero, not while it stays there', () => {
    const events: PosEvent[] = [
      {
        ...base,
        event_id: 'e1',
        terminal_seq: 1,
        occurred_at: at(0),
        type: 'shelf_count',
        sku: 'A-001',
        counted_quantity: 2,
      },
      {
        ...base,
        event_id: 'e2',
        terminal_seq: 2,
        occurred_at: at(1),
        type: 'sale',
        currency: 'EUR',
        lines: [{ sku: 'A-001', quantity: 2, unit_price: 1, promo: false }],
      },
      {
        ...base,
        event_id: 'e3',
        terminal_seq: 3,
        occurred_at: at(2),
        type: 'inventory_adjustment',
        sku: 'A-001',
        quantity_delta: -1,
        reason: 'damage',
      },
    ];
    expect(bookStockAlerts(events)).toEqual([{ storeId: 's1', sku: 'A-001', at: t0 + HOUR }]);
  });
});
