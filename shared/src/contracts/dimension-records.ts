import { z } from 'zod';
import { clockTime } from './primitives.ts';

// The records an operator imports into the hub's star-schema dimensions (`tillgate-hub
// import-dimensions`), one JSON object per line: the chain's store registry, product catalog, public
// holidays and Power BI viewer grants. The simulators write them for a simulated chain; a real chain
// exports them from its ERP / master data. Each import replaces that table whole.

const naturalId = z.string().min(1).max(64);

export const storeRecord = z.strictObject({
  store_id: naturalId,
  store_name: z.string().min(1).max(200),
  region: z.string().min(1).max(100),
  /** Store format as the chain names it (e.g. hypermarket, supermarket, convenience). */
  format: z.string().min(1).max(100),
  size_sqm: z.number().int().positive().max(1_000_000),
  /** IANA time zone, e.g. Europe/Berlin. */
  time_zone: z.string().min(1).max(64),
  opens_at: clockTime,
  closes_at: clockTime,
  /** Net sales target for an average day, in the store's currency (store-manager "sales vs target"). */
  daily_sales_target: z.number().nonnegative(),
});

export const productRecord = z.strictObject({
  sku: naturalId,
  product_name: z.string().min(1).max(200),
  category: z.string().min(1).max(100),
  department: z.string().min(1).max(100),
  /** Regular shelf price, major currency units. */
  price: z.number().positive().max(1_000_000),
  supplier_id: naturalId,
  lead_time_days: z.number().int().min(0).max(365),
  pack_size: z.number().int().positive().max(100_000),
});

export const holidayRecord = z.strictObject({
  date: z.iso.date(),
  holiday_name: z.string().min(1).max(100),
});

/** One Power BI viewer grant: a store, a region, or everything. */
export const biAccessRecord = z.discriminatedUnion('access_level', [
  z.strictObject({ upn: z.string().min(3).max(256), access_level: z.literal('store'), store_id: naturalId }),
  z.strictObject({ upn: z.string().min(3).max(256), access_level: z.literal('region'), region: z.string().min(1) }),
  z.strictObject({ upn: z.string().min(3).max(256), access_level: z.literal('all') }),
]);

export type StoreRecord = z.infer<typeof storeRecord>;
export type ProductRecord = z.infer<typeof productRecord>;
export type HolidayRecord = z.infer<typeof holidayRecord>;
export type BiAccessRecord = z.infer<typeof biAccessRecord>;
