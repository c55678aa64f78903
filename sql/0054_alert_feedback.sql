-- Staff answers to stock-out alerts (alert-feedback topic): what a person found at the shelf an alert
-- sent them to. Read by training as the observed label of the alert it answers (join on alert_id;
-- models/README.md "Labels") and by the dashboard's alert view. ORDER BY store, SKU, answer time for
-- "answers of this store"; feedback_id last so ReplacingMergeTree collapses a re-sent answer.
CREATE TABLE IF NOT EXISTS alert_feedback
(
    feedback_id String,
    alert_id String,
    store_id LowCardinality(String),
    sku String,
    answer LowCardinality(String),
    display_id LowCardinality(String),
    answered_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX alert_id_bloom alert_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(answered_at)
ORDER BY (store_id, sku, answered_at, feedback_id)
