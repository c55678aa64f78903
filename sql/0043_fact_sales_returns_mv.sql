-- Returned lines into fact_sales as negative quantity and amount, on the day of the return. The
-- inner SELECT names the raw quantity apart: a top-level alias `quantity` would shadow the column
-- in the amount expressions (ClickHouse aliases are visible across the whole SELECT).
CREATE MATERIALIZED VIEW IF NOT EXISTS fact_sales_returns_mv TO fact_sales AS
SELECT toInt32(toYYYYMMDD(occurred_at)) AS date_key,
       toInt64(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key,
       toInt64(bitAnd(cityHash64(sku), 9223372036854775807)) AS product_key,
       toString(store_id) AS store_id, sku, event_id, toInt32(line_no) AS line_no, 'return' AS line_type,
       toDateTime(occurred_at, 'UTC') AS sold_at, toInt32(toHour(occurred_at)) AS hour_of_day,
       toString(currency) AS currency, '' AS customer_ref, toInt8(0) AS promo,
       toFloat64(unit_price) AS unit_price, -returned_units AS quantity, toInt64(0) AS units_sold,
       returned_units AS units_returned, toFloat64(0) AS gross_amount, amount AS returned_amount,
       -amount AS net_amount, toInt64(0) AS basket_count
FROM
(
    SELECT *, toInt64(quantity) AS returned_units, round(toFloat64(quantity * unit_price), 2) AS amount
    FROM return_lines
)
