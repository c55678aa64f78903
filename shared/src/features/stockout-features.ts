import { featureCap, stockoutFeatureNames } from './feature-spec.ts';
import type { SkuFeatureState } from './feature-state.ts';
import { instantMs, shiftDay, utcDay } from './utc-time.ts';

const coverCap = featureCap('days_of_cover');
const saleAgeCap = featureCap('hours_since_last_sale');
const deliveryAgeCap = featureCap('hours_since_delivery');
const priceRatioCap = featureCap('price_ratio');
const msPerHour = 3_600_000;

/** The model input row for one SKU at instant `at`, in stockoutFeatureNames order (spec "features"). */
export function stockoutFeatures(state: SkuFeatureState, at: Date): Float32Array {
  const atMs = at.getTime();
  if (Number.isNaN(atMs)) throw new RangeError('stockoutFeatures: at is an invalid Date');
  const today = utcDay(atMs);
  const unitsToday = Math.max(0, state.dailyUnits[today] ?? 0);
  const units7d = Math.max(0, unitsOver(state.dailyUnits, today, 7)) / 7;
  const units28d = Math.max(0, unitsOver(state.dailyUnits, today, 28)) / 28;
  const values = [
    state.onHand,
    unitsToday,
    units7d,
    units28d,
    daysOfCover(state.onHand, units7d),
    hoursSince(state.lastSaleAt, atMs, saleAgeCap),
    hoursSince(state.lastDeliveryAt, atMs, deliveryAgeCap),
    at.getUTCDay(),
    at.getUTCHours(),
    state.promoActive ? 1 : 0,
    priceRatio(state.price, state.referencePrice),
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
