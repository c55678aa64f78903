-- Latest heartbeat per store: the fleet view of the ops dashboard (GET /fleet). ReplacingMergeTree by
-- sent_at keeps the newest; readers still use argMax(..., sent_at) GROUP BY store_id, so they are right
-- before background merges run. One row per store, hence ORDER BY store_id.
CREATE TABLE IF NOT EXISTS fleet_state
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
    alerts_open UInt32
)
ENGINE = ReplacingMergeTree(sent_at)
ORDER BY store_id
