-- Raw returns / refunds, one row per returned line. Read by daily_sales_summary, product_performance and
-- stock_movements (restocked lines only), and by analysts tracing a refund to its sale (original_event_id).
-- Same ORDER BY / dedupe / partition reasoning as sales_lines.
CREATE TABLE IF NOT EXISTS return_lines
(
    event_id String,
    line_no UInt16,
    store_id LowCardinality(String),
    terminal_id LowCardinality(String),
    terminal_seq UInt64,
    occurred_at DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    currency LowCardinality(String),
    original_event_id String,
    sku String,
    quantity UInt32,
    unit_price Decimal(18, 4),
    reason LowCardinality(String),
    restock Bool,
    kafka_partition UInt32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC'),
    INDEX event_id_bloom event_id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id, line_no)
