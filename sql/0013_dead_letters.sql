-- Messages that failed the event contract at the hub, with the reason (also copied to the dead-letters
-- topic). Read by ops (dashboard "rejected at hub") and by POS integrators' support. ORDER BY the Kafka
-- coordinates, which are the message's identity: a replayed poison message collapses onto its first copy.
CREATE TABLE IF NOT EXISTS dead_letters
(
    topic LowCardinality(String),
    kafka_partition UInt32,
    kafka_offset UInt64,
    kafka_key String,
    payload String,
    error_code LowCardinality(String),
    field String,
    reason String,
    consumer_group LowCardinality(String),
    dead_lettered_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(dead_lettered_at)
ORDER BY (topic, kafka_partition, kafka_offset)
