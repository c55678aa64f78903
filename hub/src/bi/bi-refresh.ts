import type { ClickHouseClient } from '../clickhouse.ts';
import { type DimensionRefreshResult, refreshDimensions } from './dimension-refresh.ts';
import { dateKeyOf, refreshInventoryDay } from './inventory-refresh.ts';
import { forecastHorizonDays, refreshPredictionDay } from './prediction-refresh.ts';

// The bi_prep refresh (Airflow, every 15 minutes): what the star schema needs that materialized views
// cannot keep. fact_sales and fact_alerts are kept by materialized views and need nothing. Inventory
// days go oldest first (each reads the one before); dimensions go last, so the unknown members cover
// every key the rebuilt facts mention (stock value reads prices from product_catalog, not dim_product).

export interface BiRefreshOptions {
  now: Date;
  /** Inventory days to rebuild, ending today: 2 covers yesterday's late events and today. */
  inventoryDays: number;
  /** Forecast days to rebuild, ending today: horizon + 2, so a forecast whose last target was
   *  yesterday is rebuilt once more, now that yesterday is complete. */
  forecastDays: number;
}

export const defaultBiRefresh = { inventoryDays: 2, forecastDays: forecastHorizonDays + 2 } as const;

export interface BiRefreshResult {
  dimensions: DimensionRefreshResult;
  inventoryDays: string[];
  forecastDays: string[];
  elapsedMs: number;
}

const DAY_MS = 86_400_000;
const ABC_WINDOW_DAYS = 90;

/** The UTC days from `count - 1` days before `now` up to today, oldest first. */
function daysEndingAt(now: Date, count: number): string[] {
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  return Array.from({ length: count }, (_, index) =>
    new Date(today - (count - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}

export async function refreshBi(client: ClickHouseClient, options: BiRefreshOptions): Promise<BiRefreshResult> {
  const started = performance.now();
  const inventoryDays = daysEndingAt(options.now, options.inventoryDays);
  const forecastDays = daysEndingAt(options.now, options.forecastDays);
  const todayMs = Date.parse(`${inventoryDays.at(-1)}T00:00:00.000Z`);
  for (const day of inventoryDays) await refreshInventoryDay(client, day, options.now);
  for (const day of forecastDays) await refreshPredictionDay(client, day, options.now);
  const dimensions = await refreshDimensions(client, {
    since: dateKeyOf(todayMs - Math.max(options.inventoryDays, options.forecastDays) * DAY_MS),
    abcSince: dateKeyOf(todayMs - (ABC_WINDOW_DAYS - 1) * DAY_MS),
    today: dateKeyOf(todayMs),
  });
  return { dimensions, inventoryDays, forecastDays, elapsedMs: Math.round(performance.now() - started) };
}
