-- Power BI fact at the alert-transition grain (raised / cleared), for the alerts dashboard's table
-- and the store-manager traffic light. Kept by a materialized view from alerts, which receives each
-- alert once (the consumer's identity filter). ORDER BY (store_key, date_key, alerted_at): RLS and
-- the alerts table read one store's recent alerts.
CREATE TABLE IF NOT EXISTS fact_alerts
(
    date_key Int32,
    store_key Int64,
    product_key Int64,
    store_id String,
    sku String,
    alert_id String,
    state String,
    is_raised Int8,
    risk Float64,
    threshold Float64,
    on_hand_units Int64,
    model_name String,
    model_version String,
    alerted_at DateTime('UTC'),
    alert_count Int64
)
ENGINE = MergeTree
PARTITION BY intDiv(date_key, 100)
ORDER BY (store_key, date_key, alerted_at)
