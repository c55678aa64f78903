-- Sale lines into fact_sales. A basket counts once, on its line 0. Money is rounded to cents when
-- it leaves Decimal: the raw table keeps the exact Decimal(18, 4).
CREATE MATERIALIZED VIEW IF NOT EXISTS fact_sales_sales_mv TO fact_sales AS
SELECT toInt32(toYYYYMMDD(occurred_at)) AS date_key,
       toInt64(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key,
       toInt64(bitAnd(cityHash64(sku), 9223372036854775807)) AS product_key,
       toString(store_id) AS store_id, sku, event_id, toInt32(line_no) AS line_no, 'sale' AS line_type,
       toDateTime(occurred_at, 'UTC') AS sold_at, toInt32(toHour(occurred_at)) AS hour_of_day,
       toString(currency) AS currency, customer_ref, toInt8(promo) AS promo,
       toFloat64(unit_price) AS unit_price, toInt64(quantity) AS quantity, toInt64(quantity) AS units_sold,
       toInt64(0) AS units_returned, round(toFloat64(quantity * unit_price), 2) AS gross_amount,
       toFloat64(0) AS returned_amount, round(toFloat64(quantity * unit_price), 2) AS net_amount,
       toInt64(line_no = 0) AS basket_count
FROM sales_lines
