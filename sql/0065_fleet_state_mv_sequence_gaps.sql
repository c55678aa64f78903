-- fleet_state_mv copies the gap summary too. MODIFY QUERY keeps the view attached: no heartbeat
-- inserted during the migration is missed.
ALTER TABLE fleet_state_mv MODIFY QUERY
SELECT store_id, sent_at, agent_version, started_at, backlog_events, oldest_unsent_at, last_forward_at,
       model_name, model_version, disk_used_bytes, rejects_total, alerts_open,
       gaps_open, gaps_missing_events, gaps_oldest_open_since
FROM heartbeats
