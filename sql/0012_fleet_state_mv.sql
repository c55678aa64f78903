-- Keeps fleet_state from heartbeats. Replays are harmless here: the newest sent_at wins.
CREATE MATERIALIZED VIEW IF NOT EXISTS fleet_state_mv TO fleet_state AS
SELECT store_id, sent_at, agent_version, started_at, backlog_events, oldest_unsent_at, last_forward_at,
       model_name, model_version, disk_used_bytes, rejects_total, alerts_open
FROM heartbeats
