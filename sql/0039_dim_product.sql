-- Power BI dimension: one row per SKU, keyed by product_key = the 63-bit cityHash64 of sku (same
-- reasoning as dim_store). Attributes from product_catalog plus two the refresh derives: price_band
-- (low < 2.00 <= mid < 6.00 <= high, shelf price) and abc_class (A = SKUs making the first 80 % of
-- the last 90 days' net sales, B the next 15 %, C the rest and SKUs that did not sell). Unknown
-- members cover SKUs sold but missing from the catalog. Read by the store-manager (inventory by
-- category), inventory-analyst (ABC, suppliers, slow movers) and ML dashboards. Swapped whole by
-- EXCHANGE TABLES every refresh; ORDER BY product_key, the join key.
CREATE TABLE IF NOT EXISTS dim_product
(
    product_key Int64,
    sku String,
    product_name String,
    category String,
    department String,
    price Float64,
    price_band String,
    supplier_id String,
    lead_time_days Int32,
    pack_size Int32,
    abc_class String,
    is_known Int8
)
ENGINE = MergeTree
ORDER BY product_key
