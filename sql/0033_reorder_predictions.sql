-- Reorder recommendations written by the daily batch-prediction DAG (forecast + lead time + safety stock
-- + business rules). Read by the dashboard and Power BI per store-SKU (the ORDER BY). A re-run of the
-- same day and model replaces its rows (ReplacingMergeTree by created_at; readers use argMax).
CREATE TABLE IF NOT EXISTS reorder_predictions
(
    store_id LowCardinality(String),
    sku String,
    prediction_date Date,
    model_name LowCardinality(String),
    model_version LowCardinality(String),
    run_id String,
    forecast_units_7d Float64,
    on_hand Int64,
    lead_time_days UInt16,
    safety_stock Float64,
    reorder_point Float64,
    reorder_quantity Int64,
    created_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(created_at)
PARTITION BY toYYYYMM(prediction_date)
ORDER BY (store_id, sku, prediction_date, model_name, model_version)
