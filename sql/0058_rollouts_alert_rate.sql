-- The rollout's alert-rate gate (issue 10, hub/src/rollout/alert-rate-gate.ts) as JSON: history_hours,
-- max_ratio, min_alerts, min_sales, or 'null' when the rollout has none. '' = a rollout recorded
-- before the gate existed.
ALTER TABLE rollouts ADD COLUMN IF NOT EXISTS alert_rate String DEFAULT '' AFTER failure_threshold
