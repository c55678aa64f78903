-- Units, revenue and returns per SKU-day-store. Read by Power BI product reports, the slow-moving
-- classifier and forecast-vs-actual. ORDER BY starts with sku because its readers ask "how did this
-- product do" across stores. Summed on merge; readers sum(...) GROUP BY.
CREATE TABLE IF NOT EXISTS product_performance
(
    sku String,
    day Date,
    store_id LowCardinality(String),
    units_sold Int64,
    promo_units Int64,
    revenue Decimal(38, 4),
    sale_lines UInt64,
    units_returned Int64,
    refunded_amount Decimal(38, 4)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (sku, day, store_id)
