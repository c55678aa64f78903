-- Every edge heartbeat (edge-heartbeats topic), kept 30 days for "when was this store down" questions.
-- Read by the fleet_state view and by ops investigations. ORDER BY (store_id, sent_at): one store's
-- history is contiguous; a replayed heartbeat has the same key and collapses.
CREATE TABLE IF NOT EXISTS heartbeats
(
    store_id LowCardinality(String),
    sent_at DateTime64(3, 'UTC'),
    agent_version LowCardinality(String),
    started_at DateTime64(3, 'UTC'),
    backlog_events UInt64,
    oldest_unsent_at Nullable(DateTime64(3, 'UTC')),
    last_forward_at Nullable(DateTime64(3, 'UTC')),
    model_name LowCardinality(String),
    model_version LowCardinality(String),
    disk_used_bytes UInt64,
    rejects_total UInt64,
    alerts_open UInt32,
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(sent_at)
ORDER BY (store_id, sent_at)
TTL toDateTime(sent_at) + INTERVAL 30 DAY
