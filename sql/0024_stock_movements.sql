-- Every stock movement of a store-SKU, signed: sales (-), restocked returns (+), deliveries (+),
-- adjustments (+/-), and shelf counts (delta 0, counted_quantity = the new on-hand). Read by
-- inventory_on_hand, the dashboard's stock history and the anomaly model. ORDER BY (store_id, sku,
-- occurred_at) so "movements of this SKU after its last count" is one contiguous range.
CREATE TABLE IF NOT EXISTS stock_movements
(
    store_id LowCardinality(String),
    sku String,
    occurred_at DateTime64(3, 'UTC'),
    event_id String,
    line_no UInt16,
    kind LowCardinality(String),
    quantity_delta Int64,
    counted_quantity Nullable(Int64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (store_id, sku, occurred_at, event_id, line_no)
