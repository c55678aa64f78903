-- fleet_state carries the latest heartbeat's gap summary (sql/0063) for GET /api/fleet.
ALTER TABLE fleet_state ADD COLUMN IF NOT EXISTS gaps_open Nullable(UInt32) AFTER alerts_open,
    ADD COLUMN IF NOT EXISTS gaps_missing_events UInt64 DEFAULT 0 AFTER gaps_open,
    ADD COLUMN IF NOT EXISTS gaps_oldest_open_since Nullable(DateTime64(3, 'UTC')) AFTER gaps_missing_events
