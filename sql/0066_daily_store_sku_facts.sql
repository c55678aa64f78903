-- Curated daily facts per store x SKU, written once a day by the daily_etl DAG (dags/daily_etl.py)
-- through the hub's /warehouse/replace, keyed by fact_date: a re-run of a day replaces that day's rows
-- (the same rows also go to the lake, derived/daily-store-sku/date=D/, for Spark and the feature DAG).
-- Read by Power BI / analysts (daily movements and end-of-day stock without scanning raw lines), by
-- batch_predictions (on-hand at the end of the day, the actuals of past forecasts: net_units has the
-- demand label's definition, units sold minus restocked returns) and by training as labels.
-- ORDER BY (store_id, sku, fact_date): readers take one store-SKU's days as one range.
CREATE TABLE IF NOT EXISTS daily_store_sku_facts
(
    fact_date Date,
    store_id LowCardinality(String),
    sku String,
    units_sold Int64,
    sale_lines UInt32,
    promo_units Int64,
    revenue Float64,
    units_returned Int64,
    units_returned_restocked Int64,
    net_units Int64,
    units_received Int64,
    deliveries UInt32,
    shelf_counts UInt32,
    last_counted_quantity Nullable(Int64),
    units_adjusted Int64,
    units_shrink Int64,
    on_hand_end Int64,
    run_id String,
    created_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(fact_date)
ORDER BY (store_id, sku, fact_date)
