-- Sales side of daily_sales_summary; a basket counts once, on its line 0.
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_sales_summary_sales_mv TO daily_sales_summary AS
SELECT store_id, toDate(occurred_at) AS day, currency,
       toDecimal128(sum(quantity * unit_price), 4) AS gross_revenue, toInt64(sum(quantity)) AS units_sold,
       count() AS sale_lines, countIf(line_no = 0) AS baskets,
       toDecimal128(0, 4) AS refunded_amount, toInt64(0) AS units_returned, toUInt64(0) AS returns
FROM sales_lines
GROUP BY store_id, day, currency
