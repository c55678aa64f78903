-- Every step of every rollout (issue 10): created, wave started, store assigned, store outcome
-- (active / rejected / rolled_back with the edge's reason), wave passed, paused, resumed, aborted,
-- auto-stopped, completed. Who (actor: a user or "controller"), what, when, outcome per store. Read by
-- GET /api/rollouts/:id, the fleet view (last step per store) and Power BI. Append-only; ORDER BY
-- (rollout_id, at) so one rollout's history reads in order.
CREATE TABLE IF NOT EXISTS rollout_steps
(
    rollout_id String,
    at DateTime64(3, 'UTC'),
    actor String,
    step LowCardinality(String),
    wave UInt16,
    store_id LowCardinality(String),
    outcome LowCardinality(String),
    detail String
)
ENGINE = MergeTree
ORDER BY (rollout_id, at)
