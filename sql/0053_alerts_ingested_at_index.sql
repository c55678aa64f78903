-- The ops dashboard's live alert feed asks for "alerts stored since my cursor" on every stored batch
-- and every 250 ms (hub/src/dashboard/alert-feed.ts). ingested_at is not in the sort key, so without
-- this minmax index each of those reads scans the whole table; with it, only the newest parts. Parts
-- written before the migration have no index and are read as before (the feed only asks for now).
ALTER TABLE alerts ADD INDEX IF NOT EXISTS ingested_at_minmax ingested_at TYPE minmax GRANULARITY 1
