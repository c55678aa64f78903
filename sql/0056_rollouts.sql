-- One row per rollout state change (issue 10): what was rolled out where, by whom, and its status now.
-- Read by the rollout controller (running ones), GET /api/rollouts, the ops dashboard and Power BI.
-- ReplacingMergeTree(updated_at) keeps the latest state of each rollout; ORDER BY rollout_id because
-- every reader looks rollouts up by id.
CREATE TABLE IF NOT EXISTS rollouts
(
    rollout_id String,
    model_name LowCardinality(String),
    model_version LowCardinality(String),
    target String,
    waves String,
    gate_seconds UInt32,
    failure_threshold Float64,
    swap LowCardinality(String),
    shadow_ms Nullable(UInt64),
    rollback UInt8,
    status LowCardinality(String),
    current_wave UInt16,
    created_by String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY rollout_id
