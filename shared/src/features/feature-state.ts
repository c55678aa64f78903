import type { StoreEvent } from '../contracts/pos-event.ts';
import { retentionDays } from './feature-spec.ts';
import { canonicalInstant, instantMs, shiftDay, utcDay } from './utc-time.ts';

/** What the edge keeps per store x SKU to compute stockoutFeatures (shared/features/stockout-features.v2.json "state"). */
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
  /** store.soldUnits right after the sale that last moved lastSaleAt; null before any sale. */
  storeSoldAtLastSale: number | null;
}

/** What the edge keeps per store (the spec's "store_state"), moved by every event before the SKUs are. */
export interface StoreFeatureState {
  /** Units of every sale line ever applied; time measured in the store's own sales. */
  soldUnits: number;
  /** 'YYYY-MM-DD' UTC day -> units the store sold net of restocked returns; last 28 days kept. */
  dailyUnits: Record<string, number>;
  lastSaleAt: string | null;
}

export function emptyStoreFeatureState(): StoreFeatureState {
  return { soldUnits: 0, dailyUnits: {}, lastSaleAt: null };
}

/** How one event moves the store's state (spec "events", the "Store:" clauses); the input is not modified. */
export function applyEventToStoreState(store: StoreFeatureState, event: StoreEvent): StoreFeatureState {
  if (event.type !== 'sale' && event.type !== 'return') return store;
  const next: StoreFeatureState = { ...store, dailyUnits: { ...store.dailyUnits } };
  const atMs = instantMs(event.occurred_at);
  if (event.type === 'sale') {
    for (const line of event.lines) {
      next.soldUnits += line.quantity;
      addDailyUnits(next.dailyUnits, utcDay(atMs), line.quantity);
    }
    next.lastSaleAt = laterInstant(next.lastSaleAt, atMs);
  } else {
    for (const line of event.lines) if (line.restock) addDailyUnits(next.dailyUnits, utcDay(atMs), -line.quantity);
  }
  return next;
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
    storeSoldAtLastSale: null,
  };
}

/**
 * How one event moves one SKU's state (the spec's "events" section). `storeAfter` is the store's state
 * with this event already applied (applyEventToStoreState). Returns a new state; the input is not
 * modified, so a caller can keep the old one until its write is durable.
 */
export function applyEventToFeatureState(
  state: SkuFeatureState,
  event: StoreEvent,
  sku: string,
  storeAfter: StoreFeatureState,
): SkuFeatureState {
  const next: SkuFeatureState = { ...state, dailyUnits: { ...state.dailyUnits } };
  const atMs = instantMs(event.occurred_at);
  switch (event.type) {
    case 'sale':
      if (event.lines.some((line) => line.sku === sku)) {
        if (state.lastSaleAt === null || atMs >= instantMs(state.lastSaleAt)) {
          next.storeSoldAtLastSale = storeAfter.soldUnits;
        }
      }
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
