-- The chain's product catalog as the operator last imported it (`tillgate-hub import-dimensions
-- --catalog catalog.jsonl`): the source of dim_product, replaced whole by each import (EXCHANGE
-- TABLES). Read only by the dimension refresh. ORDER BY sku: read whole; one row per SKU.
CREATE TABLE IF NOT EXISTS product_catalog
(
    sku String,
    product_name String,
    category String,
    department String,
    price Float64,
    supplier_id String,
    lead_time_days Int32,
    pack_size Int32,
    imported_at DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY sku
