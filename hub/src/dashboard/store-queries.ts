import type { ClickHouseClient } from '../clickhouse.ts';
import { toClickHouseTime } from '../ingest/clickhouse-time.ts';
import { queryRows } from './query-rows.ts';

// The store drill-down. Every query binds `{store:String}` (one store, already checked against the
// login) and reads only that store's rows: the sort keys of these tables all start with store_id.

/** Stock and risk per SKU: book stock, and the SKU's latest alert (risk, state) if it ever had one. */
const stockQuery = `
SELECT s.sku AS sku, s.on_hand AS on_hand, s.last_movement_at AS last_movement_at,
       a.latest_risk AS risk, a.latest_state AS alert_state, a.latest_at AS alert_at
FROM inventory_on_hand AS s
LEFT JOIN
(
    SELECT sku, argMax(risk, at) AS latest_risk, argMax(state, at) AS latest_state, max(at) AS latest_at
    FROM alerts WHERE store_id = {store:String} GROUP BY sku
) AS a ON s.sku = a.sku
WHERE s.store_id = {store:String}
ORDER BY alert_state = 'raised' DESC, risk DESC NULLS LAST, on_hand ASC, sku
LIMIT {limit:UInt32}
SETTINGS join_use_nulls = 1`;

/**
 * Forecast vs actual for the whole store (units summed over SKUs): the 7 days before the newest run
 * (each day's latest forecast made before it, with its actual) and the run's 7 days ahead. The band
 * is 90 %: ±1.645 σ of the daily store-level error over the 28 days before the run. No forecast rows:
 * the page says so rather than drawing anything.
 */
const forecastQuery = `
WITH latest AS (
    SELECT max(forecast_date) AS day FROM ml_forecast_results WHERE store_id = {store:String}
),
daily AS (
    SELECT target_date, forecast_date, sum(predicted_units) AS predicted, sum(actual_units) AS actual,
           countIf(actual_units IS NOT NULL) AS with_actual
    FROM ml_forecast_results
    WHERE store_id = {store:String}
    GROUP BY target_date, forecast_date
),
spread AS (
    SELECT stddevPopIf(actual - predicted, with_actual > 0) AS sigma
    FROM daily WHERE target_date < (SELECT day FROM latest) AND target_date >= (SELECT day FROM latest) - 28
)
SELECT target_date, argMax(predicted, forecast_date) AS units_predicted,
       argMax(if(with_actual > 0, actual, NULL), forecast_date) AS units_actual,
       any((SELECT sigma FROM spread)) AS sigma
FROM daily
WHERE target_date >= (SELECT day FROM latest) - 7 AND target_date < (SELECT day FROM latest) + 7
GROUP BY target_date
ORDER BY target_date`;

/** The newest reorder recommendation per SKU, largest quantities first. */
const reorderQuery = `
SELECT sku, argMax(prediction_date, created_at) AS latest_date, argMax(reorder_quantity, created_at) AS quantity,
       argMax(on_hand, created_at) AS stock, argMax(reorder_point, created_at) AS point,
       argMax(forecast_units_7d, created_at) AS forecast_7d, argMax(model_version, created_at) AS version
FROM reorder_predictions
WHERE store_id = {store:String} AND prediction_date >= toDate({now:DateTime64(3)}) - 7
GROUP BY sku
HAVING quantity > 0
ORDER BY quantity DESC
LIMIT 100`;

/** Messages of this store the hub refused (the agent's own rejects are counted in its heartbeat). */
const rejectsQuery = `
SELECT topic, error_code, field, reason, dead_lettered_at, substring(payload, 1, 300) AS payload
FROM dead_letters
WHERE kafka_key = {store:String}
ORDER BY dead_lettered_at DESC
LIMIT 50`;

/**
 * End-of-day reconciliation of the last 7 business days: the newest result of each Z-report per side
 * (edge: what the terminal was told; hub: against what reached ClickHouse). Filtered on date_key: the
 * text alias business_day would shadow the Date column in WHERE (GET /api/stores answered 500).
 */
const reconciliationQuery = `
SELECT toString(business_day) AS business_day, terminal_id, report_id, side, outcome, missing_events,
       missing_seqs, differences, toString(reconciled_at) AS reconciled_at
FROM reconciliation FINAL
WHERE store_id = {store:String} AND date_key >= toInt32(toYYYYMMDD(toDate({now:DateTime64(3)}) - 7))
ORDER BY date_key DESC, terminal_id, side
LIMIT 500`;

export interface ForecastDay {
  targetDate: string;
  predicted: number;
  actual: number | null;
  low: number | null;
  high: number | null;
}

export async function readStore(client: ClickHouseClient, store: string, now: Date, stockLimit: number) {
  const params = { store, now: toClickHouseTime(now), limit: stockLimit };
  const [stock, forecast, reorders, rejects, reconciliation] = await Promise.all([
    queryRows<Record<string, unknown>>(client, stockQuery, params),
    queryRows<{ target_date: string; units_predicted: number; units_actual: number | null; sigma: number | null }>(
      client,
      forecastQuery,
      params,
    ),
    queryRows<Record<string, unknown>>(client, reorderQuery, params),
    queryRows<Record<string, unknown>>(client, rejectsQuery, params),
    queryRows<Record<string, unknown>>(client, reconciliationQuery, params),
  ]);
  const band = 1.645; // two-sided 90 % of a normal error
  const days: ForecastDay[] = forecast.map((row) => {
    const sigma = row.sigma === null || Number.isNaN(Number(row.sigma)) ? null : Number(row.sigma);
    const predicted = Number(row.units_predicted);
    return {
      targetDate: row.target_date,
      predicted,
      actual: row.units_actual === null ? null : Number(row.units_actual),
      low: sigma === null ? null : Math.max(0, predicted - band * sigma),
      high: sigma === null ? null : predicted + band * sigma,
    };
  });
  return { storeId: store, stock, forecast: days, reorders, rejects, reconciliation };
}
