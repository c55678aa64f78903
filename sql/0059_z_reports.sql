-- End-of-day Z-reports as the edge forwarded them (z-reports topic, shared zReportForward): the
-- terminal's own totals and the edge's reconciliation of them, one row per forwarded result (a report
-- re-sent after a late re-send of its missing events is reconciled again at the edge). Read by the
-- hub reconciler (hub/src/reconciliation), which compares each report with the raw tables, and by
-- reconciliation_edge_mv. ORDER BY store, day, terminal, report, edge result time: a replayed message
-- has the same key and collapses.
CREATE TABLE IF NOT EXISTS z_reports
(
    report_id String,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    business_day Date,
    opened_at DateTime64(3, 'UTC'),
    closed_at DateTime64(3, 'UTC'),
    first_seq Nullable(UInt64),
    last_seq Nullable(UInt64),
    currency LowCardinality(String),
    counts Map(LowCardinality(String), UInt64),
    baskets UInt64,
    gross_sales Float64,
    net_sales Float64,
    received_at DateTime64(3, 'UTC'),
    edge_outcome LowCardinality(String),
    edge_reconciled_at DateTime64(3, 'UTC'),
    edge_missing_events UInt64,
    edge_missing_seqs Array(Tuple(from_seq UInt64, to_seq UInt64)),
    edge_differences String,
    edge_found_counts Map(LowCardinality(String), UInt64),
    edge_found_baskets UInt64,
    edge_found_gross_sales Float64,
    edge_found_net_sales Float64,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(business_day)
ORDER BY (store_id, business_day, terminal_id, report_id, edge_reconciled_at)
