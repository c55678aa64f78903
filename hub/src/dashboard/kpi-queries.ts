import type { ClickHouseClient } from '../clickhouse.ts';
import { toClickHouseTime } from '../ingest/clickhouse-time.ts';
import { queryRows as rows } from './query-rows.ts';

// The executive cards, each one parameterised query over the hub's tables. `{store:String}` is ''
// for all stores (admin, ops) or the one store a manager may see; `{now:DateTime64(3)}` is the hub's
// clock, so "today" is the UTC day the dashboard is looked at.

/** Revenue so far today vs the same weekday last week up to the same time of day, per currency. */
export const revenueTodayQuery = `
SELECT currency,
       sumIf(quantity * unit_price, occurred_at >= toStartOfDay({now:DateTime64(3)}) AND occurred_at <= {now:DateTime64(3)}) AS today,
       sumIf(quantity * unit_price, occurred_at >= toStartOfDay({now:DateTime64(3)} - INTERVAL 7 DAY)
                                    AND occurred_at <= {now:DateTime64(3)} - INTERVAL 7 DAY) AS same_weekday_last_week
FROM sales_lines
WHERE ({store:String} = '' OR store_id = {store:String})
  AND occurred_at >= toStartOfDay({now:DateTime64(3)} - INTERVAL 7 DAY)
GROUP BY currency
ORDER BY currency`;

/**
 * Stock value at retail: units on hand (inventory_on_hand) times each SKU's latest selling price in
 * that store over the last 30 days (sales carry the price paid; there is no cost price in the events).
 * Negative book stock counts as zero: it is a counting error, not negative value.
 */
export const stockValueQuery = `
SELECT p.currency AS currency, sum(greatest(s.on_hand, 0) * p.price) AS value, sum(greatest(s.on_hand, 0)) AS units
FROM inventory_on_hand AS s
INNER JOIN
(
    SELECT store_id, sku, argMax(currency, occurred_at) AS currency, argMax(unit_price, occurred_at) AS price
    FROM sales_lines
    WHERE ({store:String} = '' OR store_id = {store:String}) AND occurred_at >= {now:DateTime64(3)} - INTERVAL 30 DAY
    GROUP BY store_id, sku
) AS p ON s.store_id = p.store_id AND s.sku = p.sku
WHERE {store:String} = '' OR s.store_id = {store:String}
GROUP BY currency
ORDER BY currency`;

/**
 * Stock-outs today: store-SKUs whose book stock is at or below zero now and that moved today, plus
 * those counted empty on the shelf today (a count of 0 is the strongest evidence there is).
 */
export const stockOutsTodayQuery = `
SELECT count() AS stock_outs
FROM
(
    SELECT store_id, sku FROM inventory_on_hand
    WHERE ({store:String} = '' OR store_id = {store:String})
      AND on_hand <= 0 AND last_movement_at >= toStartOfDay({now:DateTime64(3)})
    UNION DISTINCT
    SELECT store_id, sku FROM shelf_counts
    WHERE ({store:String} = '' OR store_id = {store:String})
      AND counted_quantity = 0 AND occurred_at >= toStartOfDay({now:DateTime64(3)})
)`;

/**
 * Inventory turnover over the last 30 days, in units: units sold ÷ units on hand now (the current
 * stock stands in for the period's average, which the events do not give without a daily snapshot).
 */
export const turnoverQuery = `
SELECT
    (SELECT sum(quantity) FROM sales_lines
     WHERE ({store:String} = '' OR store_id = {store:String}) AND occurred_at >= {now:DateTime64(3)} - INTERVAL 30 DAY) AS units_sold_30d,
    (SELECT sum(greatest(on_hand, 0)) FROM inventory_on_hand
     WHERE {store:String} = '' OR store_id = {store:String}) AS units_on_hand`;

export interface Kpis {
  revenue: Array<{ currency: string; today: number; sameWeekdayLastWeek: number }>;
  stockValue: Array<{ currency: string; value: number; units: number }>;
  stockOutsToday: number;
  turnover30d: { unitsSold: number; unitsOnHand: number; ratio: number | null };
}

export async function readKpis(client: ClickHouseClient, store: string, now: Date): Promise<Kpis> {
  const params = { store, now: toClickHouseTime(now) };
  const [revenue, stock, outs, turnover] = await Promise.all([
    rows<{ currency: string; today: string; same_weekday_last_week: string }>(client, revenueTodayQuery, params),
    rows<{ currency: string; value: string; units: string }>(client, stockValueQuery, params),
    rows<{ stock_outs: string }>(client, stockOutsTodayQuery, params),
    rows<{ units_sold_30d: string | null; units_on_hand: string | null }>(client, turnoverQuery, params),
  ]);
  const sold = Number(turnover[0]?.units_sold_30d ?? 0);
  const onHand = Number(turnover[0]?.units_on_hand ?? 0);
  return {
    revenue: revenue.map((row) => ({
      currency: row.currency,
      today: Number(row.today),
      sameWeekdayLastWeek: Number(row.same_weekday_last_week),
    })),
    stockValue: stock.map((row) => ({ currency: row.currency, value: Number(row.value), units: Number(row.units) })),
    stockOutsToday: Number(outs[0]?.stock_outs ?? 0),
    turnover30d: { unitsSold: sold, unitsOnHand: onHand, ratio: onHand > 0 ? sold / onHand : null },
  };
}
