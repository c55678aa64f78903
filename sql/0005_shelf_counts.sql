-- Raw physical shelf counts; a count resets on-hand (counts beat arithmetic). Read by stock_movements /
-- inventory_by_store and by DQ checks comparing counts with computed stock. Per-store-SKU ORDER BY.
CREATE TABLE IF NOT EXISTS shelf_counts
(
    event_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    sku String,
    counted_quantity UInt32,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id)
