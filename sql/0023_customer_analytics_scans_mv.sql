-- Scan side of customer_analytics (price checks and lookups show interest that did not become a sale).
CREATE MATERIALIZED VIEW IF NOT EXISTS customer_analytics_scans_mv TO customer_analytics AS
SELECT store_id, toDate(occurred_at) AS day, toUInt64(0) AS baskets, toUInt64(0) AS items,
       uniqExactStateIf('', false) AS identified_customers, toUInt64(0) AS visitors, toUInt64(count()) AS scans
FROM product_scans
GROUP BY store_id, day
