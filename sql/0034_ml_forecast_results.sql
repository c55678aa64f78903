-- Daily demand forecasts per store-SKU-day and model, with the actual filled in later for
-- forecast-vs-actual (dashboard "model performance", champion/challenger evaluation). ORDER BY store,
-- SKU, target day: evaluation joins on exactly that. A re-run replaces its rows (argMax by created_at).
CREATE TABLE IF NOT EXISTS ml_forecast_results
(
    store_id LowCardinality(String),
    sku String,
    forecast_date Date,
    target_date Date,
    model_name LowCardinality(String),
    model_version LowCardinality(String),
    run_id String,
    predicted_units Float64,
    actual_units Nullable(Float64),
    created_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(created_at)
PARTITION BY toYYYYMM(target_date)
ORDER BY (store_id, sku, target_date, model_name, model_version, forecast_date)
