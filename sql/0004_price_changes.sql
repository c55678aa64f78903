-- Raw shelf price changes. Read by training (price / promo features) and Power BI (price history per
-- store-SKU, hence the ORDER BY). Identity last for ReplacingMergeTree.
CREATE TABLE IF NOT EXISTS price_changes
(
    event_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    sku String,
    currency LowCardinality(String),
    new_price Decimal(18, 4),
    promo Bool,
    effective_from DateTime64(3, 'UTC'),
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id)
