-- Alert transitions into fact_alerts, with Power BI-safe types (Float32 risk widened to Float64).
CREATE MATERIALIZED VIEW IF NOT EXISTS fact_alerts_mv TO fact_alerts AS
SELECT toInt32(toYYYYMMDD(at)) AS date_key,
       toInt64(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key,
       toInt64(bitAnd(cityHash64(sku), 9223372036854775807)) AS product_key,
       toString(store_id) AS store_id, sku, alert_id, toString(state) AS state, toInt8(state = 'raised') AS is_raised,
       round(toFloat64(risk), 6) AS risk, round(toFloat64(threshold), 6) AS threshold, on_hand AS on_hand_units,
       toString(model_name) AS model_name, toString(model_version) AS model_version,
       toDateTime(at, 'UTC') AS alerted_at, toInt64(1) AS alert_count
FROM alerts
