// What really happened on the shelf, as opposed to what the events say. The simulators record it
// so models and alerts can be scored against it (precision / recall of stock-out alerts).

/**
 * Why a shelf went empty. The first two are INJECTED faults (the ones the edge's alerts must catch);
 * the others arise naturally from the demand and replenishment model.
 */
export const stockoutCauses = [
  'phantom_inventory',
  'missed_replenishment',
  'unrecorded_shrink',
  'promotion_uplift',
  'demand_variability',
] as const;
export type StockoutCause = (typeof stockoutCauses)[number];

export const injectedCauses: ReadonlySet<StockoutCause> = new Set(['phantom_inventory', 'missed_replenishment']);

/**
 * Stock-outs the event stream cannot show: the shelf is empty while the book stock still says
 * otherwise. Finding them is the alert's detection job; the rest it has to predict.
 */
export const hiddenCauses: ReadonlySet<StockoutCause> = new Set(['phantom_inventory', 'unrecorded_shrink']);

/** One interval during which a store's shelf had zero units of a SKU. */
export interface StockoutTruth {
  store_id: string;
  sku: string;
  /** ISO instant the last unit left the shelf (or the phantom loss happened). */
  start: string;
  /** ISO instant units were back on the shelf; null while still out. */
  end: string | null;
  cause: StockoutCause;
  injected: boolean;
  /** Units customers wanted but could not buy during the interval. */
  lost_units: number;
}

/** One row per store x SKU x day: true demand vs sales, shelf vs system stock. */
export interface DailyTruth {
  store_id: string;
  sku: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  demand_units: number;
  sold_units: number;
  lost_units: number;
  /** Units physically on the shelf at the end of the day. */
  shelf_on_hand: number;
  /** Units the event stream implies (counts, sales, deliveries, adjustments, restocked returns). */
  system_on_hand: number;
  on_order: number;
  price: number;
  promo: boolean;
}
