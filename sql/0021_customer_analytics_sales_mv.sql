-- Sales side of customer_analytics; anonymous baskets (customer_ref '') are not customers.
CREATE MATERIALIZED VIEW IF NOT EXISTS customer_analytics_sales_mv TO customer_analytics AS
SELECT store_id, toDate(occurred_at) AS day, toUInt64(countIf(line_no = 0)) AS baskets,
       toUInt64(sum(quantity)) AS items,
       uniqExactStateIf(customer_ref, customer_ref != '') AS identified_customers,
       toUInt64(0) AS visitors, toUInt64(0) AS scans
FROM sales_lines
GROUP BY store_id, day
