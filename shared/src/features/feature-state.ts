import type { StoreEvent } from '../contracts/pos-event.ts';
import { retentionDays } from './feature-spec.ts';
import { canonicalInstant, instantMs, shiftDay, utcDay } from './utc-time.ts';

/** What the edge keeps per store x SKU to compute stockoutFeatures (shared/features/stockout-features.v1.json "state"). */
export interface SkuFeatureState {
  onHand: number;
  /** 'YYYY-MM-DD' UTC day -> units sold net of restocked returns; only the last 28 days are kept. */
  dailyUnits: Record<string, number>;
  lastSaleAt: string | null;
  lastDeliveryAt: string | null;
  price: number | null;
  /** First non-promo price seen, or a catalog price set by the caller. */
  referencePrice: number | null;
  promoActive: boolean;
}

export function emptyFeatureState(): SkuFeatureState {
  return {
    onHand: 0,
    dailyUnits: {},
    lastSaleAt: null,
    lastDeliveryAt: null,
    price: null,
    referencePrice: null,
    promoActive: false,
  };
}

/**
 * How one event moves one SKU's state (the spec's "events" section). Returns a new state; the input
 * is not modified, so a caller can keep the old one until its write is durable.
 */
export function applyEventToFeatureState(state: SkuFeatureState, event: StoreEvent, sku: string): SkuFeatureState {
  const next: SkuFeatureState = { ...state, dailyUnits: { ...state.dailyUnits } };
  const atMs = instantMs(event.occurred_at);
  switch (event.type) {
    case 'sale':
      for (const line of event.lines) {
        if (line.sku !== sku) continue;
        next.onHand -= line.quantity;
        addDailyUnits(next.dailyUnits, utcDay(atMs), line.quantity);
        next.lastSaleAt = laterInstant(next.lastSaleAt, atMs);
        setPrice(next, line.unit_price, line.promo);
      }
      return next;
    case 'return':
      for (const line of event.lines) {
        if (line.sku !== sku || !line.restock) continue;
        next.onHand += line.quantity;
        addDailyUnits(next.dailyUnits, utcDay(atMs), -line.quantity);
      }
      return next;
    case 'shelf_count':
      if (event.sku === sku) next.onHand = event.counted_quantity;
      return next;
    case 'inventory_adjustment':
      if (event.sku === sku) next.onHand += event.quantity_delta;
      return next;
    case 'supplier_delivery':
      for (const line of event.lines) {
        if (line.sku !== sku) continue;
        next.onHand += line.quantity;
        next.lastDeliveryAt = laterInstant(next.lastDeliveryAt, atMs);
      }
      return next;
    case 'price_change':
      if (event.sku === sku) setPrice(next, event.new_price, event.promo);
      return next;
    case 'product_scan':
    case 'foot_traffic':
      return next;
  }
}

function setPrice(state: SkuFeatureState, price: number, promo: boolean): void {
  state.price = price;
  state.promoActive = promo;
  if (state.referencePrice === null && !promo) state.referencePrice = price;
}

function laterInstant(current: string | null, ms: number): string {
  if (current !== null && instantMs(current) >= ms) return current;
  return canonicalInstant(ms);
}

/** Adds units to a day, then drops days that fell out of the retention window of the newest day. */
function addDailyUnits(dailyUnits: Record<string, number>, day: string, units: number): void {
  const days = Object.keys(dailyUnits);
  let newest = day;
  for (const kept of days) if (kept > newest) newest = kept;
  const oldestKept = shiftDay(newest, -(retentionDays - 1));
  if (day < oldestKept) return;
  dailyUnits[day] = (dailyUnits[day] ?? 0) + units;
  for (const kept of days) if (kept < oldestKept) delete dailyUnits[kept];
}
