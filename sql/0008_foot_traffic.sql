-- Raw door-counter periods. Read by customer_analytics (conversion = baskets / visitors). No SKU, so the
-- ORDER BY is per store over time; identity last for ReplacingMergeTree.
CREATE TABLE IF NOT EXISTS foot_traffic
(
    event_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    period_seconds UInt32,
    visitors UInt32,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, occurred_at, event_id)
