-- Gap detection from each heartbeat (issue 14, shared heartbeat.sequence_gaps): terminal_seq ranges the
-- store's terminals numbered but the agent never received, in their current epochs. Read through
-- fleet_state by GET /api/fleet and the fleet page. gaps_open is NULL for agents older than gap detection.
ALTER TABLE heartbeats ADD COLUMN IF NOT EXISTS gaps_open Nullable(UInt32) AFTER update_since,
    ADD COLUMN IF NOT EXISTS gaps_missing_events UInt64 DEFAULT 0 AFTER gaps_open,
    ADD COLUMN IF NOT EXISTS gaps_oldest_open_since Nullable(DateTime64(3, 'UTC')) AFTER gaps_missing_events
