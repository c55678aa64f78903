import type { PosEvent } from '@tillgate/shared';
import type { StockoutTruth } from '../../simulators/src/ground-truth.ts';

// Scores stock-out alerts against the simulators' ground truth. An alert names (store, sku) and the
// event that triggered it; its time is that event's simulated occurred_at, so compressed time and the
// agents' wall clocks do not matter.

export interface RaisedAlert {
  storeId: string;
  sku: string;
  /** Simulated instant of the triggering event (epoch ms). */
  at: number;
}

export interface AlertScore {
  alerts: number;
  truePositives: number;
  precision: number;
  injectedStockouts: number;
  injectedCaught: number;
  recall: number;
}

/**
 * An alert is right when the shelf is empty at its time or goes empty within `horizonMs` (the model
 * predicts a stock-out within a horizon). An injected stock-out is caught when some alert for its
 * (store, sku) falls between `horizonMs` before it started and its end (or `until`).
 */
export function scoreAlerts(
  alerts: readonly RaisedAlert[],
  stockouts: readonly StockoutTruth[],
  horizonMs: number,
  until: number,
): AlertScore {
  const intervals = new Map<string, { start: number; end: number; injected: boolean }[]>();
  for (const s of stockouts) {
    const key = `${s.store_id}/${s.sku}`;
    const list = intervals.get(key) ?? [];
    list.push({ start: Date.parse(s.start), end: s.end === null ? until : Date.parse(s.end), injected: s.injected });
    intervals.set(key, list);
  }
  const hits = (alert: RaisedAlert, interval: { start: number; end: number }) =>
    alert.at >= interval.start - horizonMs && alert.at <= interval.end;
  const truePositives = alerts.filter((a) =>
    (intervals.get(`${a.storeId}/${a.sku}`) ?? []).some((i) => hits(a, i)),
  ).length;
  const injected = [...intervals.entries()].flatMap(([key, list]) =>
    list.filter((i) => i.injected && i.start <= until).map((i) => ({ key, ...i })),
  );
  const caught = injected.filter((i) => alerts.some((a) => `${a.storeId}/${a.sku}` === i.key && hits(a, i))).length;
  return {
    alerts: alerts.length,
    truePositives,
    precision: alerts.length === 0 ? 0 : truePositives / alerts.length,
    injectedStockouts: injected.length,
    injectedCaught: caught,
    recall: injected.length === 0 ? 0 : caught / injected.length,
  };
}

/**
 * The naive peer: alert when the stock the event stream implies (counts, sales, deliveries,
 * adjustments, restocked returns) reaches zero. It sees missed deliveries, never phantom inventory.
 */
export function bookStockAlerts(events: readonly PosEvent[]): RaisedAlert[] {
  const onHand = new Map<string, number>();
  const alerts: RaisedAlert[] = [];
  const move = (event: PosEvent, sku: string, next: (current: number) => number) => {
    const key = `${event.store_id}/${sku}`;
    const before = onHand.get(key) ?? 0;
    const after = next(before);
    onHand.set(key, after);
    if (before > 0 && after <= 0) alerts.push({ storeId: event.store_id, sku, at: Date.parse(event.occurred_at) });
  };
  const ordered = [...events].sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
  for (const event of ordered) {
    if (event.type === 'sale') for (const l of event.lines) move(event, l.sku, (q) => q - l.quantity);
    else if (event.type === 'return') {
      for (const l of event.lines) if (l.restock) move(event, l.sku, (q) => q + l.quantity);
    } else if (event.type === 'supplier_delivery')
      for (const l of event.lines) move(event, l.sku, (q) => q + l.quantity);
    else if (event.type === 'shelf_count') move(event, event.sku, () => event.counted_quantity);
    else if (event.type === 'inventory_adjustment') move(event, event.sku, (q) => q + event.quantity_delta);
  }
  return alerts;
}
