-- Feeds inventory_by_store from stock_movements (a view chained on the movement views). Movements that
-- are not counts carry count time 0 so they never beat a real count in argMax.
CREATE MATERIALIZED VIEW IF NOT EXISTS inventory_by_store_mv TO inventory_by_store AS
SELECT store_id, sku,
       argMaxState(ifNull(counted_quantity, 0), if(kind = 'count', occurred_at, toDateTime64(0, 3, 'UTC'))) AS last_count,
       max(if(kind = 'count', occurred_at, toDateTime64(0, 3, 'UTC'))) AS last_count_at,
       -sumIf(quantity_delta, kind = 'sale') AS units_sold,
       sumIf(quantity_delta, kind = 'return') AS units_returned_to_stock,
       sumIf(quantity_delta, kind = 'delivery') AS units_received,
       sumIf(quantity_delta, kind = 'adjustment') AS units_adjusted,
       max(occurred_at) AS last_movement_at
FROM stock_movements
GROUP BY store_id, sku
