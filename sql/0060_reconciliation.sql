-- Z-report reconciliation results, one row per report and side: 'edge' (what the store agent answered
-- the terminal, from z_reports by reconciliation_edge_mv) and 'hub' (the hub reconciler, against the raw
-- tables after ingest). Read by the ops dashboard (store drill-down), Power BI (date_key / store_key
-- join dim_date / dim_store; Power BI-safe types only) and the data-quality DAG (reports not matched
-- some hours after close). ReplacingMergeTree(reconciled_at) keeps the newest result of each report and
-- side; readers that must be right before merges use FINAL or argMax (reconciliation_latest does).
-- first_seq / last_seq are -1 on a day without events.
CREATE TABLE IF NOT EXISTS reconciliation
(
    date_key Int32,
    store_key Int64,
    store_id String,
    terminal_id String,
    business_day Date,
    report_id String,
    side String,
    outcome String,
    is_match Int8,
    reconciled_at DateTime('UTC'),
    closed_at DateTime('UTC'),
    first_seq Int64,
    last_seq Int64,
    missing_events Int64,
    missing_seqs String,
    differences String,
    currency String,
    reported_events Int64,
    found_events Int64,
    reported_baskets Int64,
    found_baskets Int64,
    reported_gross_sales Float64,
    found_gross_sales Float64,
    reported_net_sales Float64,
    found_net_sales Float64
)
ENGINE = ReplacingMergeTree(reconciled_at)
PARTITION BY toYYYYMM(business_day)
ORDER BY (store_id, business_day, terminal_id, report_id, side)
