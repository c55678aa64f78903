-- Power BI fact at the sale-line grain: one row per sold line and one (negative) row per returned
-- line, so net revenue is a plain SUM(net_amount). Read by the executive (revenue vs last week,
-- turnover), store-manager (sales vs target) and inventory-analyst (ABC, slow movers) dashboards.
-- Types are the Power BI-safe ones (docs/powerbi/types.md): Int64 keys and counts, Float64 money
-- (the ODBC path sums Decimal through a cast that drops the scale and compares Decimal filters as
-- rounded doubles), DateTime not DateTime64, no Nullable, no LowCardinality. Kept by materialized
-- views from sales_lines / return_lines, which only ever receive first copies (hub/README.md
-- "Exactly once in effect"), so it needs no FINAL. ORDER BY (store_key, date_key, product_key):
-- row-level security and store-manager pages filter one store or region, every page a date range.
CREATE TABLE IF NOT EXISTS fact_sales
(
    date_key Int32,
    store_key Int64,
    product_key Int64,
    store_id String,
    sku String,
    event_id String,
    line_no Int32,
    line_type String,
    sold_at DateTime('UTC'),
    hour_of_day Int32,
    currency String,
    customer_ref String,
    promo Int8,
    unit_price Float64,
    quantity Int64,
    units_sold Int64,
    units_returned Int64,
    gross_amount Float64,
    returned_amount Float64,
    net_amount Float64,
    basket_count Int64
)
ENGINE = MergeTree
PARTITION BY intDiv(date_key, 100)
ORDER BY (store_key, date_key, product_key)
