CREATE MATERIALIZED VIEW IF NOT EXISTS stock_movements_deliveries_mv TO stock_movements AS
SELECT store_id, sku, occurred_at, event_id, line_no, 'delivery' AS kind, toInt64(quantity) AS quantity_delta,
       CAST(NULL, 'Nullable(Int64)') AS counted_quantity
FROM delivery_lines
