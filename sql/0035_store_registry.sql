-- The chain's store registry as the operator last imported it (`tillgate-hub import-dimensions
-- --stores stores.jsonl`): the source of dim_store, replaced whole by each import (EXCHANGE TABLES),
-- never edited in place. Read only by the dimension refresh (hub/src/bi/dimension-refresh.ts).
-- ORDER BY store_id: the refresh reads it whole; one row per store.
CREATE TABLE IF NOT EXISTS store_registry
(
    store_id String,
    store_name String,
    region String,
    format String,
    size_sqm Int32,
    time_zone String,
    opens_at String,
    closes_at String,
    daily_sales_target Float64,
    imported_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY store_id
