-- Raw inventory adjustments (damage, theft, shrink, expiry, correction). Read by stock_movements and by
-- shrink reporting per store-SKU (the ORDER BY). Identity last for ReplacingMergeTree.
CREATE TABLE IF NOT EXISTS inventory_adjustments
(
    event_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    sku String,
    quantity_delta Int32,
    reason LowCardinality(String),
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id)
