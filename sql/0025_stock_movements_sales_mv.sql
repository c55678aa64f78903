CREATE MATERIALIZED VIEW IF NOT EXISTS stock_movements_sales_mv TO stock_movements AS
SELECT store_id, sku, occurred_at, event_id, line_no, 'sale' AS kind, -toInt64(quantity) AS quantity_delta,
       CAST(NULL, 'Nullable(Int64)') AS counted_quantity
FROM sales_lines
