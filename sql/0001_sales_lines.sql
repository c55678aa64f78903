-- Raw sales, one row per basket line (event_id + line_no), written by the hub's ClickHouse consumer.
-- Read by: the daily_sales_summary / product_performance / customer_analytics / stock_movements views,
-- Power BI (later fact_sales), training extracts. ORDER BY (store_id, sku, occurred_at, ...) serves the
-- per-store and per-store-SKU scans that dominate; it ends with the line's identity (event_id, line_no)
-- so ReplacingMergeTree collapses a line that reached the table twice (a safety net: the consumer
-- inserts only identities not yet present, which is what keeps the aggregates exact — see hub/README.md).
-- Partitioned by month of occurred_at: a re-sent event lands in the same partition as its first copy.
CREATE TABLE IF NOT EXISTS sales_lines
(
    event_id String,
    line_no UInt16,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    currency LowCardinality(String),
    customer_ref String,
    line_count UInt16,
    sku String,
    quantity UInt32,
    unit_price Decimal(18, 4),
    promo Bool,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id, line_no)
