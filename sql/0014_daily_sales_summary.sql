-- Revenue, units, baskets and refunds per store-day-currency (UTC day of occurred_at, so a late event
-- lands on the day it happened). Read by the dashboard KPIs and Power BI. Summed on merge; readers use
-- sum(...) GROUP BY, never FINAL. Exact because only first copies of an event reach sales_lines /
-- return_lines (see hub/README.md "Exactly once in effect").
CREATE TABLE IF NOT EXISTS daily_sales_summary
(
    store_id LowCardinality(String),
    day Date,
    currency LowCardinality(String),
    gross_revenue Decimal(38, 4),
    units_sold Int64,
    sale_lines UInt64,
    baskets UInt64,
    refunded_amount Decimal(38, 4),
    units_returned Int64,
    returns UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (store_id, day, currency)
