-- On-hand per store-SKU = latest shelf count + every movement after it (0 + all movements when never
-- counted). Read by the dashboard and the reorder DAG. A plain view: it reads the movements after the
-- count from stock_movements, whose ORDER BY makes that a range scan per store-SKU.
CREATE VIEW IF NOT EXISTS inventory_on_hand AS
SELECT m.store_id AS store_id, m.sku AS sku,
       any(c.last_count) + sumIf(m.quantity_delta, m.occurred_at > c.last_count_at) AS on_hand,
       any(c.last_count_at) AS last_count_at, max(m.occurred_at) AS last_movement_at
FROM stock_movements AS m
INNER JOIN
(
    SELECT store_id, sku, argMaxMerge(last_count) AS last_count, max(last_count_at) AS last_count_at
    FROM inventory_by_store
    GROUP BY store_id, sku
) AS c ON m.store_id = c.store_id AND m.sku = c.sku
GROUP BY m.store_id, m.sku
