CREATE MATERIALIZED VIEW IF NOT EXISTS stock_movements_adjustments_mv TO stock_movements AS
SELECT store_id, sku, occurred_at, event_id, toUInt16(0) AS line_no, 'adjustment' AS kind,
       toInt64(quantity_delta) AS quantity_delta, CAST(NULL, 'Nullable(Int64)') AS counted_quantity
FROM inventory_adjustments
