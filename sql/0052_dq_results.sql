-- Results of the hourly data-quality DAG (dags/data_quality_hourly.py), one row per check, store and
-- run: status ok / failed, the measured value against its threshold, and a sentence for ops. Read by the
-- hub's /fleet (latest failing checks per store) and by ops investigations. Written only through the
-- hub's /warehouse/replace keyed by (check_hour, check_name): a re-run of an hour replaces that hour's
-- rows of the check. ORDER BY (store_id, check_hour, check_name): the fleet view reads one store's
-- latest hours. TTL on checked_at (when the run ran), so a backfill of old hours is kept too.
CREATE TABLE IF NOT EXISTS dq_results
(
    check_hour DateTime('UTC'),
    check_name LowCardinality(String),
    store_id LowCardinality(String),
    status Enum8('ok' = 1, 'failed' = 2),
    value Float64,
    threshold Float64,
    detail String,
    run_id String,
    checked_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(check_hour)
ORDER BY (store_id, check_hour, check_name)
TTL toDateTime(checked_at) + INTERVAL 90 DAY
