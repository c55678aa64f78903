import type { ClickHouseClient } from '../clickhouse.ts';
import { surrogateKey } from './surrogate-key.ts';
import { replacePartition } from './table-swap.ts';

// One day of fact_inventory, built from the previous day's closing stock and the day's movements.
// Closing = the last shelf count of the day plus the movements after it, or the opening plus all
// the day's movements (the same rule as inventory_on_hand, carried day by day). Stock-out minutes
// walk the day's movements in time order (arrayFold) and add up the time book stock stood at or
// below zero, up to midnight, or up to `now` for today. Days must be refreshed in order: a day
// reads its predecessor.

const movementTuple = `(toUnixTimestamp64Milli(occurred_at), event_id, line_no, toString(kind), quantity_delta,
  ifNull(counted_quantity, toInt64(0)))`;

/** (balance, last movement ms, stocked-out ms) after each movement, starting at midnight. */
const walkMovements = `arrayFold((acc, m) -> (if(m.4 = 'count', m.6, acc.1 + m.5), greatest(m.1, acc.2),
  acc.3 + if(acc.1 <= 0, greatest(m.1 - acc.2, 0), 0)), moves, (opening, {dayStartMs:Int64}, toInt64(0)))`;

const buildDay = `
  SELECT toInt32({dateKey:Int32}) AS date_key, ${surrogateKey('d.store_id')} AS store_key,
         ${surrogateKey('d.sku')} AS product_key, d.store_id AS store_id, d.sku AS sku,
         d.opening AS opening_units, walk.1 AS on_hand_units, d.received AS units_received,
         d.sold AS units_sold, d.returned AS units_returned, d.shrink AS shrink_units,
         d.adjusted AS adjustment_units, d.counted AS counted,
         toInt32(intDiv(walk.3 + if(walk.1 <= 0, greatest({dayEndMs:Int64} - walk.2, 0), 0), 60000)) AS stockout_minutes,
         round(greatest(walk.1, 0) * price.price, 2) AS stock_value,
         toInt32(multiIf(d.sold > 0, 0, d.has_prev = 1, d.prev_days + 1, 0)) AS days_since_last_sale,
         reorder.reorder_point AS reorder_point, reorder.reorder_quantity AS recommended_order_units,
         toDateTime({refreshedAt:Int64}, 'UTC') AS refreshed_at
  FROM
  (
    SELECT *, ${walkMovements} AS walk
    FROM
    (
      SELECT store_id, sku, sum(prev_on_hand) AS opening, max(has_prev) AS has_prev, max(prev_days) AS prev_days,
             arraySort(arrayFlatten(groupArray(day_moves))) AS moves, sum(day_received) AS received,
             sum(day_sold) AS sold, sum(day_returned) AS returned, sum(day_shrink) AS shrink,
             sum(day_adjusted) AS adjusted, max(day_counted) AS counted
      FROM
      (
        SELECT store_id, sku, on_hand_units AS prev_on_hand, toInt8(1) AS has_prev, days_since_last_sale AS prev_days,
               CAST([], 'Array(Tuple(Int64, String, UInt16, String, Int64, Int64))') AS day_moves,
               toInt64(0) AS day_received, toInt64(0) AS day_sold, toInt64(0) AS day_returned,
               toInt64(0) AS day_shrink, toInt64(0) AS day_adjusted, toInt8(0) AS day_counted
        FROM fact_inventory WHERE date_key = {previousDateKey:Int32}
        UNION ALL
        SELECT toString(store_id), sku, toInt64(0), toInt8(0), toInt32(0), groupArray(${movementTuple}),
               sumIf(quantity_delta, kind = 'delivery'), -sumIf(quantity_delta, kind = 'sale'),
               sumIf(quantity_delta, kind = 'return'), -sumIf(quantity_delta, kind = 'adjustment' AND quantity_delta < 0),
               sumIf(quantity_delta, kind = 'adjustment'), toInt8(countIf(kind = 'count') > 0)
        FROM stock_movements
        WHERE occurred_at >= toDateTime64({dayStartMs:Int64} / 1000, 3, 'UTC')
          AND occurred_at < toDateTime64({dayEndOfDayMs:Int64} / 1000, 3, 'UTC')
        GROUP BY store_id, sku
      )
      GROUP BY store_id, sku
    )
  ) AS d
  LEFT JOIN (SELECT sku, price FROM product_catalog) AS price ON price.sku = d.sku
  LEFT JOIN
  (
    SELECT toString(store_id) AS store_id, sku, argMax(reorder_point, created_at) AS reorder_point,
           argMax(reorder_quantity, created_at) AS reorder_quantity
    FROM reorder_predictions WHERE prediction_date = toDate({day:String})
    GROUP BY store_id, sku
  ) AS reorder ON reorder.store_id = d.store_id AND reorder.sku = d.sku
  SETTINGS join_use_nulls = 0`;

const DAY_MS = 86_400_000;

export const dateKeyOf = (dayMs: number): number =>
  Number(new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', ''));

/** Rebuilds fact_inventory for one UTC day (`day` = 'YYYY-MM-DD'); `now` bounds today's stock-out time. */
export async function refreshInventoryDay(client: ClickHouseClient, day: string, now: Date): Promise<void> {
  const dayStartMs = Date.parse(`${day}T00:00:00.000Z`);
  const dateKey = dateKeyOf(dayStartMs);
  await replacePartition(client, 'fact_inventory', dateKey, buildDay, {
    day,
    dateKey,
    previousDateKey: dateKeyOf(dayStartMs - DAY_MS),
    dayStartMs,
    dayEndOfDayMs: dayStartMs + DAY_MS,
    dayEndMs: Math.min(dayStartMs + DAY_MS, now.getTime()),
    refreshedAt: Math.floor(now.getTime() / 1000),
  });
}
