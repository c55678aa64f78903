-- Stock-out alerts raised / cleared by edge agents (restock-alerts topic). Read by the ops dashboard
-- (live alerts per store) and model-performance reports (alerts vs. actual stock-outs). ORDER BY store,
-- SKU, time for "alerts of this store"; alert_id last so ReplacingMergeTree collapses a replayed alert.
CREATE TABLE IF NOT EXISTS alerts
(
    alert_id String,
    store_id LowCardinality(String),
    sku String,
    state LowCardinality(String),
    risk Float32,
    threshold Float32,
    on_hand Int64,
    model_name LowCardinality(String),
    model_version LowCardinality(String),
    trigger_event_id String,
    at DateTime64(3, 'UTC'),
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX alert_id_bloom alert_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (store_id, sku, at, alert_id)
