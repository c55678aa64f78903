-- Who may see what in Power BI: one row per viewer (UPN, as USERPRINCIPALNAME() returns it) and
-- grant: access_level 'store' (store_id), 'region' (region) or 'all'. Read by the Power BI roles'
-- DAX filters over dim_store (docs/powerbi/security.md); maintained by the operator with
-- `tillgate-hub import-dimensions --access access.jsonl` (replaced whole). ORDER BY upn: each
-- role filter looks up one viewer.
CREATE TABLE IF NOT EXISTS bi_user_access
(
    upn String,
    access_level String,
    store_id String,
    region String
)
ENGINE = MergeTree
ORDER BY upn
