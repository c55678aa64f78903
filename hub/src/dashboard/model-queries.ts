import type { ClickHouseClient } from '../clickhouse.ts';
import { toClickHouseTime } from '../ingest/clickhouse-time.ts';
import { queryRows } from './query-rows.ts';

/**
 * Forecast error per target day and model version over the last 28 days, against the seasonal naive
 * forecast (same SKU, same store, 7 days earlier: what a planner with no model would say). MAPE over
 * store-SKU-days that sold something (it is undefined at 0), RMSE over all that have an actual.
 */
const forecastErrorQuery = `
WITH actuals AS (
    SELECT store_id, sku, toDate(occurred_at) AS day, sum(quantity) AS units
    FROM sales_lines
    WHERE ({store:String} = '' OR store_id = {store:String})
      AND occurred_at >= toStartOfDay({now:DateTime64(3)}) - INTERVAL 35 DAY
    GROUP BY store_id, sku, day
)
SELECT f.target_date AS day, f.model_version AS model_version, count() AS n,
       avgIf(abs(f.actual_units - f.predicted_units) / f.actual_units, f.actual_units > 0) AS mape,
       sqrt(avg(pow(f.actual_units - f.predicted_units, 2))) AS rmse,
       avgIf(abs(f.actual_units - n.units) / f.actual_units, f.actual_units > 0) AS naive_mape,
       sqrt(avg(pow(f.actual_units - n.units, 2))) AS naive_rmse
FROM ml_forecast_results AS f
LEFT JOIN actuals AS n ON n.store_id = f.store_id AND n.sku = f.sku AND n.day = f.target_date - 7
WHERE ({store:String} = '' OR f.store_id = {store:String})
  AND f.actual_units IS NOT NULL AND f.target_date >= toDate({now:DateTime64(3)}) - 28
GROUP BY day, model_version
ORDER BY day, model_version`;

/**
 * Alert precision from the evidence a chain has: a raised alert counts as confirmed when the same
 * store-SKU is counted empty on the shelf (shelf count 0) within 48 h after it. Staff answers to
 * alerts are not in the hub yet, so this is the only label here.
 */
const alertPrecisionQuery = `
SELECT a.model_version AS model_version, count() AS raised,
       countIf(c.first_empty_at >= a.raised_at AND c.first_empty_at <= a.raised_at + INTERVAL 48 HOUR) AS confirmed_by_count
FROM
(
    SELECT alert_id, store_id, sku, model_version, min(at) AS raised_at
    FROM alerts
    WHERE ({store:String} = '' OR store_id = {store:String}) AND state = 'raised'
      AND at >= {now:DateTime64(3)} - INTERVAL 7 DAY AND at <= {now:DateTime64(3)} - INTERVAL 48 HOUR
    GROUP BY alert_id, store_id, sku, model_version
) AS a
LEFT JOIN
(
    SELECT store_id, sku, min(occurred_at) AS first_empty_at
    FROM shelf_counts
    WHERE ({store:String} = '' OR store_id = {store:String}) AND counted_quantity = 0
      AND occurred_at >= {now:DateTime64(3)} - INTERVAL 7 DAY
    GROUP BY store_id, sku
) AS c ON a.store_id = c.store_id AND a.sku = c.sku
GROUP BY model_version
ORDER BY model_version`;

export async function readModelPerformance(client: ClickHouseClient, store: string, now: Date) {
  const params = { store, now: toClickHouseTime(now) };
  const [errors, precision] = await Promise.all([
    queryRows<Record<string, string | number | null>>(client, forecastErrorQuery, params),
    queryRows<{ model_version: string; raised: string; confirmed_by_count: string }>(
      client,
      alertPrecisionQuery,
      params,
    ),
  ]);
  const number = (value: unknown) =>
    value === null || value === undefined || Number.isNaN(Number(value)) ? null : Number(value);
  return {
    forecastError: errors.map((row) => ({
      day: String(row.day),
      modelVersion: String(row.model_version),
      n: Number(row.n),
      mape: number(row.mape),
      rmse: number(row.rmse),
      naiveMape: number(row.naive_mape),
      naiveRmse: number(row.naive_rmse),
    })),
    alertPrecision: precision.map((row) => ({
      modelVersion: row.model_version,
      raised: Number(row.raised),
      confirmedByCount: Number(row.confirmed_by_count),
      precision: Number(row.raised) > 0 ? Number(row.confirmed_by_count) / Number(row.raised) : null,
    })),
  };
}
