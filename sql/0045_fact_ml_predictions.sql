-- Power BI fact at the prediction-row grain: one demand forecast per store x SKU x target day x model
-- x forecast day (ml_forecast_results' newest run only), with a 90 % band, the actual units from
-- fact_sales once the target day is over, and the error terms the ML dashboard averages (MAPE, RMSE,
-- bias, drift) and the store-manager dashboard's 7-day forecast reads. Rebuilt by the bi_prep refresh
-- (hub/src/bi/prediction-refresh.ts) one forecast day at a time into a staging table, swapped in by
-- REPLACE PARTITION: a re-run of the batch DAG replaces its rows (no FINAL, no argMax in DAX), and
-- actuals arrive for 8 days after a forecast. Hence one partition per forecast day. ORDER BY
-- (store_key, date_key, product_key): a store's next 7 days is one range.
CREATE TABLE IF NOT EXISTS fact_ml_predictions
(
    date_key Int32,
    forecast_date_key Int32,
    store_key Int64,
    product_key Int64,
    store_id String,
    sku String,
    model_name String,
    model_version String,
    horizon_days Int32,
    predicted_units Float64,
    predicted_low Float64,
    predicted_high Float64,
    has_actual Int8,
    actual_units Float64,
    error_units Float64,
    abs_error_units Float64,
    squared_error_units Float64,
    refreshed_at DateTime('UTC')
)
ENGINE = MergeTree
PARTITION BY forecast_date_key
ORDER BY (store_key, date_key, product_key)
