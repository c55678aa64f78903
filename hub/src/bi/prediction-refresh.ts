import type { ClickHouseClient } from '../clickhouse.ts';
import { dateKeyOf } from './inventory-refresh.ts';
import { surrogateKey } from './surrogate-key.ts';
import { replacePartition } from './table-swap.ts';

// One forecast day of fact_ml_predictions: the newest run's prediction per store x SKU x target day x
// model (argMax by created_at, so a re-run of the batch DAG replaces its rows), a 90 % band, and the
// actual once the target day is over. The band is Poisson-shaped, predicted +/- 1.645 * sqrt(predicted),
// because the forecast table carries no spread of its own. Actuals are units sold from fact_sales,
// the same figure the dashboards show, so forecast-vs-actual and the sales pages agree.

const buildForecastDay = `
  SELECT toInt32(toYYYYMMDD(f.target_date)) AS date_key, toInt32({forecastDateKey:Int32}) AS forecast_date_key,
         ${surrogateKey('f.store_id')} AS store_key, ${surrogateKey('f.sku')} AS product_key, f.store_id AS store_id,
         f.sku AS sku, f.model_name AS model_name, f.model_version AS model_version,
         toInt32(f.target_date - f.forecast_date) AS horizon_days, f.predicted AS predicted_units,
         greatest(f.predicted - 1.645 * sqrt(greatest(f.predicted, 0)), 0) AS predicted_low,
         f.predicted + 1.645 * sqrt(greatest(f.predicted, 0)) AS predicted_high,
         toInt8(f.target_date < toDate({today:String})) AS has_actual,
         if(has_actual = 1, toFloat64(a.units), 0) AS actual_units,
         if(has_actual = 1, f.predicted - actual_units, 0) AS error_units,
         abs(error_units) AS abs_error_units, error_units * error_units AS squared_error_units,
         toDateTime({refreshedAt:Int64}, 'UTC') AS refreshed_at
  FROM
  (
    SELECT toString(store_id) AS store_id, sku, forecast_date, target_date, toString(model_name) AS model_name,
           toString(model_version) AS model_version, argMax(predicted_units, created_at) AS predicted
    FROM ml_forecast_results WHERE forecast_date = toDate({forecastDay:String})
    GROUP BY store_id, sku, forecast_date, target_date, model_name, model_version
  ) AS f
  LEFT JOIN
  (
    SELECT store_id, sku, date_key, sum(units_sold) AS units FROM fact_sales
    WHERE date_key >= {forecastDateKey:Int32} AND date_key <= {lastTargetKey:Int32}
    GROUP BY store_id, sku, date_key
  ) AS a ON a.store_id = f.store_id AND a.sku = f.sku AND a.date_key = toInt32(toYYYYMMDD(f.target_date))
  SETTINGS join_use_nulls = 0`;

/** Forecasts run up to 7 days ahead (the seed design), so actuals for a forecast day land within 8. */
export const forecastHorizonDays = 7;

export async function refreshPredictionDay(client: ClickHouseClient, forecastDay: string, now: Date): Promise<void> {
  const dayMs = Date.parse(`${forecastDay}T00:00:00.000Z`);
  const forecastDateKey = dateKeyOf(dayMs);
  await replacePartition(client, 'fact_ml_predictions', forecastDateKey, buildForecastDay, {
    forecastDay,
    forecastDateKey,
    lastTargetKey: dateKeyOf(dayMs + forecastHorizonDays * 86_400_000),
    today: now.toISOString().slice(0, 10),
    refreshedAt: Math.floor(now.getTime() / 1000),
  });
}
