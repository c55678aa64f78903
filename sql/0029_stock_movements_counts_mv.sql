CREATE MATERIALIZED VIEW IF NOT EXISTS stock_movements_counts_mv TO stock_movements AS
SELECT store_id, sku, occurred_at, event_id, toUInt16(0) AS line_no, 'count' AS kind, toInt64(0) AS quantity_delta,
       CAST(toInt64(counted_quantity), 'Nullable(Int64)') AS counted_quantity
FROM shelf_counts
