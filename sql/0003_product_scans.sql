-- Raw non-sale scans (price checks, shelf audits). Read by customer_analytics (interest per store-day)
-- and by the anomaly-detection training (scans without sales). Per-store-SKU ORDER BY; identity last.
CREATE TABLE IF NOT EXISTS product_scans
(
    event_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    sku String,
    purpose LowCardinality(String),
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id)
