-- Power BI fact at the store x SKU x day grain: closing book stock (last shelf count + movements
-- since), the day's receipts, sales, restocked returns, shrink (negative adjustments), minutes the
-- book stock stood at or below zero, stock value at shelf price, days since the last sale and the
-- day's reorder recommendation. Read by the executive (stock value, stock-outs today, turnover),
-- store-manager (inventory by category, low stock, reorders, traffic light) and inventory-analyst
-- (aging, overstock / understock, suppliers) dashboards. Not a materialized view: closing stock and
-- stock-out minutes depend on the previous day's closing and on the order of the day's movements,
-- so hub/src/bi/inventory-refresh.ts rebuilds a day (the bi_prep DAG: today and yesterday every 15
-- minutes) into fact_inventory_staging (made by the refresh AS this table) and swaps the day in with
-- REPLACE PARTITION. Hence one partition
-- per day (date_key): readers never see a half-built day and never need FINAL. ORDER BY
-- (store_key, product_key): within a day, RLS filters a store and store pages list its SKUs.
CREATE TABLE IF NOT EXISTS fact_inventory
(
    date_key Int32,
    store_key Int64,
    product_key Int64,
    store_id String,
    sku String,
    opening_units Int64,
    on_hand_units Int64,
    units_received Int64,
    units_sold Int64,
    units_returned Int64,
    shrink_units Int64,
    adjustment_units Int64,
    counted Int8,
    stockout_minutes Int32,
    stock_value Float64,
    days_since_last_sale Int32,
    reorder_point Float64,
    recommended_order_units Int64,
    refreshed_at DateTime('UTC')
)
ENGINE = MergeTree
PARTITION BY date_key
ORDER BY (store_key, product_key)
