-- Baskets, basket size, identified customers, visitors and scans per store-day. Read by the dashboard and
-- Power BI (conversion = baskets / visitors, items per basket). Per-store ORDER BY. Counters are summed
-- on merge; identified customers are a uniqExact state (a customer buying twice a day counts once).
CREATE TABLE IF NOT EXISTS customer_analytics
(
    store_id LowCardinality(String),
    day Date,
    baskets SimpleAggregateFunction(sum, UInt64),
    items SimpleAggregateFunction(sum, UInt64),
    identified_customers AggregateFunction(uniqExact, String),
    visitors SimpleAggregateFunction(sum, UInt64),
    scans SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (store_id, day)
