-- fact_alerts_mv carries kind and why from alerts (the contract drift test, test/hub/bi-schema-drift,
-- failed until every alert field had a place in the star schema). MODIFY QUERY keeps the view
-- attached: no alert inserted during the migration is missed.
ALTER TABLE fact_alerts_mv MODIFY QUERY
SELECT toInt32(toYYYYMMDD(at)) AS date_key,
       toInt64(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key,
       toInt64(bitAnd(cityHash64(sku), 9223372036854775807)) AS product_key,
       toString(store_id) AS store_id, sku, alert_id, toString(state) AS state, toInt8(state = 'raised') AS is_raised,
       toString(kind) AS kind, why,
       round(toFloat64(risk), 6) AS risk, round(toFloat64(threshold), 6) AS threshold, on_hand AS on_hand_units,
       toString(model_name) AS model_name, toString(model_version) AS model_version,
       toDateTime(at, 'UTC') AS alerted_at, toInt64(1) AS alert_count
FROM alerts
