-- The edge's result of every forwarded Z-report into reconciliation (side 'edge'). Missing ranges and
-- differences as text an operator reads ("2-2, 7-9"; "counts.sale 3 vs 2"), the figures as columns.
CREATE MATERIALIZED VIEW IF NOT EXISTS reconciliation_edge_mv TO reconciliation AS
SELECT toInt32(toYYYYMMDD(business_day)) AS date_key,
       toInt64(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key,
       toString(store_id) AS store_id, toString(terminal_id) AS terminal_id, business_day, report_id,
       'edge' AS side, toString(edge_outcome) AS outcome, toInt8(edge_outcome = 'match') AS is_match,
       toDateTime(edge_reconciled_at, 'UTC') AS reconciled_at, toDateTime(closed_at, 'UTC') AS closed_at,
       ifNull(toInt64(first_seq), -1) AS first_seq, ifNull(toInt64(last_seq), -1) AS last_seq,
       toInt64(edge_missing_events) AS missing_events,
       arrayStringConcat(arrayMap(r -> concat(toString(r.1), '-', toString(r.2)), edge_missing_seqs), ', ') AS missing_seqs,
       edge_differences AS differences, toString(currency) AS currency,
       toInt64(arraySum(mapValues(counts))) AS reported_events,
       toInt64(arraySum(mapValues(edge_found_counts))) AS found_events,
       toInt64(baskets) AS reported_baskets, toInt64(edge_found_baskets) AS found_baskets,
       gross_sales AS reported_gross_sales, edge_found_gross_sales AS found_gross_sales,
       net_sales AS reported_net_sales, edge_found_net_sales AS found_net_sales
FROM z_reports
