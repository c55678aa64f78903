-- Returns side of product_performance.
CREATE MATERIALIZED VIEW IF NOT EXISTS product_performance_returns_mv TO product_performance AS
SELECT sku, toDate(occurred_at) AS day, store_id, toInt64(0) AS units_sold, toInt64(0) AS promo_units,
       toDecimal128(0, 4) AS revenue, toUInt64(0) AS sale_lines, toInt64(sum(quantity)) AS units_returned,
       toDecimal128(sum(quantity * unit_price), 4) AS refunded_amount
FROM return_lines
GROUP BY sku, day, store_id
