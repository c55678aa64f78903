-- Raw supplier deliveries, one row per delivered line. Read by stock_movements and by the reorder model
-- (observed lead times per supplier). Per-store-SKU ORDER BY; identity (event_id, line_no) last.
CREATE TABLE IF NOT EXISTS delivery_lines
(
    event_id String,
    line_no UInt16,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    delivery_id String,
    supplier_id LowCardinality(String),
    sku String,
    quantity UInt32,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id, line_no)
