-- Only restocked return lines go back on hand; defective items do not.
CREATE MATERIALIZED VIEW IF NOT EXISTS stock_movements_returns_mv TO stock_movements AS
SELECT store_id, sku, occurred_at, event_id, line_no, 'return' AS kind, toInt64(quantity) AS quantity_delta,
       CAST(NULL, 'Nullable(Int64)') AS counted_quantity
FROM return_lines
WHERE restock
