-- The edge model updater's state from each heartbeat (issue 10, shared modelUpdateStatus): read by the
-- rollout controller (hub/src/rollout) to gate waves and count failures, and by GET /api/fleet for the
-- candidate and its state. '' for agents older than the updater.
ALTER TABLE heartbeats ADD COLUMN IF NOT EXISTS update_state LowCardinality(String) DEFAULT '' AFTER alerts_open,
    ADD COLUMN IF NOT EXISTS update_rollout_id String DEFAULT '' AFTER update_state,
    ADD COLUMN IF NOT EXISTS update_version LowCardinality(String) DEFAULT '' AFTER update_rollout_id,
    ADD COLUMN IF NOT EXISTS update_reason String DEFAULT '' AFTER update_version,
    ADD COLUMN IF NOT EXISTS update_since Nullable(DateTime64(3, 'UTC')) AFTER update_reason
