-- Door-counter side of customer_analytics.
CREATE MATERIALIZED VIEW IF NOT EXISTS customer_analytics_traffic_mv TO customer_analytics AS
SELECT store_id, toDate(occurred_at) AS day, toUInt64(0) AS baskets, toUInt64(0) AS items,
       uniqExactStateIf('', false) AS identified_customers, toUInt64(sum(visitors)) AS visitors,
       toUInt64(0) AS scans
FROM foot_traffic
GROUP BY store_id, day
