-- Per store-SKU movement totals and the latest shelf count. Read by inventory_on_hand and the dashboard
-- (stock per store). One row per store-SKU after merges, hence ORDER BY (store_id, sku); readers merge
-- the states with GROUP BY, never FINAL. The latest count is argMax by its time, so a late count that
-- is older than the newest one does not win.
CREATE TABLE IF NOT EXISTS inventory_by_store
(
    store_id LowCardinality(String),
    sku String,
    last_count AggregateFunction(argMax, Int64, DateTime64(3, 'UTC')),
    last_count_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    units_sold SimpleAggregateFunction(sum, Int64),
    units_returned_to_stock SimpleAggregateFunction(sum, Int64),
    units_received SimpleAggregateFunction(sum, Int64),
    units_adjusted SimpleAggregateFunction(sum, Int64),
    last_movement_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (store_id, sku)
