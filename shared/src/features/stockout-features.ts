import { featureCap, stockoutFeatureNames } from './feature-spec.ts';
import type { SkuFeatureState, StoreFeatureState } from './feature-state.ts';
import { instantMs, shiftDay, utcDay } from './utc-time.ts';

const coverCap = featureCap('days_of_cover');
const saleAgeCap = featureCap('hours_since_last_sale');
const deliveryAgeCap = featureCap('hours_since_delivery');
const priceRatioCap = featureCap('price_ratio');
const expectedUnitsCap = featureCap('expected_units_since_sale');
const storeSaleAgeCap = featureCap('hours_since_store_sale');
const msPerHour = 3_600_000;

/** The model input row for one SKU of `store` at instant `at`, in stockoutFeatureNames order (spec "features"). */
export function stockoutFeatures(state: SkuFeatureState, store: StoreFeatureState, at: Date): Float32Array {
  const atMs = at.getTime();
  if (Number.isNaN(atMs)) throw new RangeError('stockoutFeatures: at is an invalid Date');
  const today = utcDay(atMs);
  const unitsToday = Math.max(0, state.dailyUnits[today] ?? 0);
  const units7d = Math.max(0, unitsOver(state.dailyUnits, today, 7)) / 7;
  const units14d = Math.max(0, unitsOver(state.dailyUnits, today, 14)) / 14;
  const units28d = Math.max(0, unitsOver(state.dailyUnits, today, 28)) / 28;
  const share = storeShare(unitsOver(state.dailyUnits, today, 28), unitsOver(store.dailyUnits, today, 28));
  const values = [
    state.onHand,
    unitsToday,
    units7d,
    units14d,
    units28d,
    daysOfCover(state.onHand, units7d),
    hoursSince(state.lastSaleAt, atMs, saleAgeCap),
    hoursSince(state.lastDeliveryAt, atMs, deliveryAgeCap),
    at.getUTCDay(),
    at.getUTCHours(),
    state.promoActive ? 1 : 0,
    priceRatio(state.price, state.referencePrice),
    share,
    expectedUnitsSinceSale(share, store.soldUnits, state.storeSoldAtLastSale),
    hoursSince(store.lastSaleAt, atMs, storeSaleAgeCap),
  ];
  if (values.length !== stockoutFeatureNames.length) {
    throw new Error(`stockoutFeatures computes ${values.length} values, the spec names ${stockoutFeatureNames.length}`);
  }
  return Float32Array.from(values);
}

/** Sum of dailyUnits over the `days` UTC days ending with (and including) `today`, in day order. */
function unitsOver(dailyUnits: Record<string, number>, today: string, days: number): number {
  let sum = 0;
  for (let offset = days - 1; offset >= 0; offset--) sum += dailyUnits[shiftDay(today, -offset)] ?? 0;
  return sum;
}

function storeShare(skuUnits: number, storeUnits: number): number {
  if (storeUnits <= 0) return 0;
  return Math.min(1, Math.max(0, skuUnits) / storeUnits);
}

function expectedUnitsSinceSale(share: number, storeSold: number, soldAtLastSale: number | null): number {
  // undefined: a state written by an agent before spec v2 (no sale noted since the upgrade).
  if (soldAtLastSale === null || soldAtLastSale === undefined) return expectedUnitsCap;
  return Math.min(expectedUnitsCap, share * Math.max(0, storeSold - soldAtLastSale));
}

function daysOfCover(onHand: number, units7d: number): number {
  if (onHand <= 0) return 0;
  if (units7d === 0) return coverCap;
  return Math.min(coverCap, onHand / units7d);
}

function hoursSince(instant: string | null, atMs: number, cap: number): number {
  if (instant === null) return cap;
  return Math.min(cap, Math.max(0, (atMs - instantMs(instant)) / msPerHour));
}

function priceRatio(price: number | null, referencePrice: number | null): number {
  if (price === null || referencePrice === null || referencePrice <= 0) return 1;
  return Math.min(priceRatioCap, Math.max(0, price / referencePrice));
}
