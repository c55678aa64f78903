import { DAY_MS } from './calendar.ts';

/**
 * Everything that shapes a simulated chain, with the defaults the README documents. Rates are per
 * store per day unless the name says otherwise; the defaults give a mid-size grocery store.
 */
export interface Scenario {
  seed: number;
  stores: number;
  /** Catalog size (chain-wide; every store lists every SKU). */
  skus: number;
  /** POS terminals per store (pos-01..); back office (bo-01) and the door counter (door-01) come on top. */
  terminals: number;
  /** Baskets on an average day (weekday and holiday factors scale it). */
  basketsPerDay: number;
  currency: string;
  /** Probability a SKU starts a 7-day promotion on a given day (~4 % of SKUs on promo at any time). */
  promoStartRate: number;
  /** INJECTED: probability a replenishment order is never delivered. */
  missedDeliveryRate: number;
  /** INJECTED: phantom-inventory events per store per day (shelf emptied, system stock unchanged). */
  phantomPerDay: number;
  /** Per SKU per day: recorded shrink (damage, expiry) booked as an inventory_adjustment. */
  recordedShrinkRate: number;
  /** Per SKU per day: unrecorded theft, so system stock drifts above shelf stock. */
  unrecordedShrinkRate: number;
  /** Share of the catalog cycle-counted each night (zero-sales audits come on top). */
  cycleCountShare: number;
  /** Probability a shelf count is off by 1-2 units. */
  countErrorRate: number;
  /** Share of baskets that come back as a return within 3 days. */
  returnRate: number;
}

export const defaultScenario: Scenario = {
  seed: 42,
  stores: 3,
  skus: 300,
  terminals: 4,
  basketsPerDay: 800,
  currency: 'EUR',
  promoStartRate: 0.006,
  missedDeliveryRate: 0.03,
  phantomPerDay: 1,
  recordedShrinkRate: 0.01,
  unrecordedShrinkRate: 0.01,
  cycleCountShare: 0.03,
  countErrorRate: 0.1,
  returnRate: 0.015,
};

/** History datasets start on a fixed date so `--seed` alone reproduces them. */
export const defaultHistoryStart = Date.parse('2026-01-05T00:00:00Z');

export const storeIdOf = (index: number): string => `store-${String(index + 1).padStart(3, '0')}`;

/** Days as a millisecond span, for readability at call sites. */
export const days = (n: number): number => n * DAY_MS;
