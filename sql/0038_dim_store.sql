-- Power BI dimension: one row per store, keyed by store_key = the 63-bit cityHash64 of store_id, so
-- facts compute the same key in their materialized views without a lookup and the relationship is an
-- Int64 equality join that DirectQuery folds. Rebuilt whole from store_registry plus an "unknown"
-- member for every store a fact mentions that the registry lacks (the model assumes referential
-- integrity, i.e. INNER joins: a fact row without its dimension row would vanish from every visual).
-- Every dashboard slices by it; row-level security filters it (docs/powerbi/security.md).
-- Rebuilt into a staging table and swapped with EXCHANGE TABLES, so readers never see a half-loaded
-- or duplicated dimension (no FINAL needed). ORDER BY store_key: the join key.
CREATE TABLE IF NOT EXISTS dim_store
(
    store_key Int64,
    store_id String,
    store_name String,
    region String,
    format String,
    size_sqm Int32,
    time_zone String,
    opens_at String,
    closes_at String,
    opening_hours String,
    daily_sales_target Float64,
    is_known Int8
)
ENGINE = MergeTree
ORDER BY store_key
