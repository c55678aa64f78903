import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClickHouseClient,
  createClickHouse,
  dashboardMeasures,
  defaultBiRefresh,
  importDimensions,
  migrate,
  powerBiRoles,
  refreshBi,
} from '@tillgate/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRawTables, reportNow, writeDimensionFiles } from './bi-fixed-dataset.ts';

// Must-show: every seed dashboard measure, run as the SQL Power BI folds to in DirectQuery (star
// joins, filters on dimensions, no FINAL), equals the answer worked out by hand for
// bi-fixed-dataset.ts. Each query runs twice, with join_use_nulls 0 (server default) and 1 (the BI
// settings profile), and must answer the same. chDB, one data directory for this file.

const params = { from: 20260302, to: 20260309, today: 20260309, weekStart: 20260303, store: 's1' };

describe('Power BI star schema on a fixed dataset', () => {
  let dir: string;
  let client: ClickHouseClient;

  const rows = async (query: string, settings: Record<string, 0 | 1> = {}, extra: Record<string, unknown> = {}) =>
    (
      await client.query({
        query,
        query_params: { ...params, ...extra },
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      })
    ).json<Record<string, unknown>>();

  const measure = async (name: string) => {
    const found = dashboardMeasures.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no measure ${name}`);
    const plain = await rows(found.sql);
    expect(await rows(found.sql, { join_use_nulls: 1 })).toEqual(plain);
    return plain;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-'));
    client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(client);
    await loadRawTables(client);
    await importDimensions(client, writeDimensionFiles(dir));
    // D1..D8 as eight 15-minute runs would have left them, in one call.
    await refreshBi(client, { now: reportNow, inventoryDays: 8, forecastDays: defaultBiRefresh.forecastDays });
  });

  afterAll(async () => {
    await client?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('every fact key finds its dimension row; unregistered store s9 and uncatalogued Z are unknown members', async () => {
    for (const fact of ['fact_sales', 'fact_inventory', 'fact_ml_predictions', 'fact_alerts']) {
      expect(
        await rows(`SELECT countIf(store_key NOT IN (SELECT store_key FROM dim_store)) AS stores,
                      countIf(product_key NOT IN (SELECT product_key FROM dim_product)) AS products FROM ${fact}`),
      ).toEqual([{ stores: '0', products: '0' }]);
    }
    expect(await rows('SELECT store_id, region, is_known FROM dim_store ORDER BY store_id')).toEqual([
      { store_id: 's1', region: 'north', is_known: 1 },
      { store_id: 's2', region: 'south', is_known: 1 },
      { store_id: 's9', region: 'unknown', is_known: 0 },
    ]);
    expect(await rows('SELECT sku, price_band, abc_class, is_known FROM dim_product ORDER BY sku')).toEqual([
      { sku: 'A', price_band: 'mid', abc_class: 'A', is_known: 1 },
      { sku: 'B', price_band: 'low', abc_class: 'A', is_known: 1 },
      { sku: 'C', price_band: 'high', abc_class: 'A', is_known: 1 },
      { sku: 'D', price_band: 'high', abc_class: 'C', is_known: 1 },
      { sku: 'Z', price_band: 'low', abc_class: 'B', is_known: 0 },
    ]);
  });

  it('dim_date: fiscal periods from February, weekends, imported holidays', async () => {
    expect(
      await rows(`SELECT date_key, weekday_name, is_weekend, fiscal_year, fiscal_period, is_holiday, holiday_name
                  FROM dim_date WHERE date_key IN (20260103, 20260303, 20260309) ORDER BY date_key`),
    ).toEqual([
      {
        date_key: 20260103,
        weekday_name: 'Saturday',
        is_weekend: 1,
        fiscal_year: 2025,
        fiscal_period: 12,
        is_holiday: 0,
        holiday_name: '',
      },
      {
        date_key: 20260303,
        weekday_name: 'Tuesday',
        is_weekend: 0,
        fiscal_year: 2026,
        fiscal_period: 2,
        is_holiday: 1,
        holiday_name: 'Test Day',
      },
      {
        date_key: 20260309,
        weekday_name: 'Monday',
        is_weekend: 0,
        fiscal_year: 2026,
        fiscal_period: 2,
        is_holiday: 0,
        holiday_name: '',
      },
    ]);
  });

  it('fact_inventory carries closing stock day by day, with counts, shrink and stock-out minutes', async () => {
    expect(
      await rows(`SELECT date_key, store_id, sku, opening_units, on_hand_units, units_received, units_sold, units_returned,
                    shrink_units, counted, stockout_minutes, stock_value, days_since_last_sale
                  FROM fact_inventory WHERE date_key IN (20260303, 20260309) ORDER BY date_key, store_id, sku`),
    ).toEqual([
      // D2: A sold 4, 1 restocked return, then counted 3; B damaged 2; Z sold 1 with no stock all day.
      row(20260303, 's1', 'A', 8, 3, 0, 4, 1, 0, 1, 0, 7.5, 0),
      row(20260303, 's1', 'B', 7, 5, 0, 0, 0, 2, 0, 0, 5, 1),
      row(20260303, 's1', 'C', 1, 1, 0, 0, 0, 0, 0, 0, 10, 1),
      row(20260303, 's2', 'A', 4, 4, 0, 0, 0, 0, 0, 0, 10, 1),
      row(20260303, 's2', 'C', 1, 1, 0, 0, 0, 0, 0, 0, 10, 1),
      row(20260303, 's9', 'Z', 0, -1, 0, 1, 0, 0, 0, 1440, 0, 0),
      // D8 (today, refreshed at 12:00): B out from 08:00 (240 min), s2 C oversold at 09:00 (180), Z since midnight (720).
      row(20260309, 's1', 'A', 3, 3, 0, 0, 0, 0, 0, 0, 7.5, 6),
      row(20260309, 's1', 'B', 5, 0, 0, 5, 0, 0, 0, 240, 0, 0),
      row(20260309, 's1', 'C', 1, 1, 0, 0, 0, 0, 0, 0, 10, 7),
      row(20260309, 's2', 'A', 4, 4, 0, 0, 0, 0, 0, 0, 10, 7),
      row(20260309, 's2', 'C', 1, -1, 0, 2, 0, 0, 0, 180, 0, 0),
      row(20260309, 's9', 'Z', -1, -1, 0, 0, 0, 0, 0, 720, 0, 6),
    ]);
  });

  it('a second refresh of the same window changes nothing (REPLACE PARTITION, no duplicates)', async () => {
    const before = await rows('SELECT count() AS n, sum(on_hand_units) AS units FROM fact_inventory');
    await refreshBi(client, { now: reportNow, inventoryDays: 2, forecastDays: defaultBiRefresh.forecastDays });
    expect(await rows('SELECT count() AS n, sum(on_hand_units) AS units FROM fact_inventory')).toEqual(before);
    expect(await rows('SELECT count() AS n FROM fact_ml_predictions')).toEqual([{ n: '4' }]);
  });

  it('executive: net sales, vs last week, stock value, stock-outs today, turnover', async () => {
    expect(await measure('Net sales')).toEqual([{ value: 57 }]);
    expect(await measure('Net sales vs same day last week')).toEqual([
      { this_week: 25, last_week: 20.5, value: 0.219512 },
    ]);
    expect(await measure('Stock value')).toEqual([{ value: 27.5 }]);
    expect(await measure('Stock-outs today')).toEqual([{ value: '3' }]);
    // 57.00 net sales over an average daily stock value of 339.50 / 8 = 42.4375.
    expect(await measure('Inventory turnover')).toEqual([{ value: 1.343152 }]);
  });

  it('store manager (s1): inventory by category, low stock, sales vs target, forecast, reorders, traffic light', async () => {
    expect(await measure('Inventory by category')).toEqual([
      { category: 'dairy', on_hand: '3', stock_value: 7.5 },
      { category: 'household', on_hand: '1', stock_value: 10 },
      { category: 'snacks', on_hand: '0', stock_value: 0 },
    ]);
    // A: 3 on hand, 4 sold in 7 days = 5.25 days of cover < 6 days lead time; B: none on hand.
    expect(await measure('Low stock')).toEqual([{ value: '2' }]);
    // 30.50 net over 8 days at a 100.00 daily target.
    expect(await measure('Sales vs target')).toEqual([{ value: 0.038125 }]);
    // 4 units, band 4 -/+ 1.645 * sqrt(4).
    expect(await measure('7-day forecast with band')).toEqual([
      { date: '2026-03-10', forecast: 4, low: 0.71, high: 7.29 },
    ]);
    expect(await measure('Recommended reorders')).toEqual([{ value: '24' }]);
    expect(await measure('Risk traffic light')).toEqual([{ red: '1', amber: '1', green: '1' }]);
  });

  it('inventory analyst: aging, slow movers, over / understock, suppliers, ABC', async () => {
    expect(await measure('Aging (days since last sale)')).toEqual([{ value: 4.333333 }]);
    expect(await measure('Slow movers')).toEqual([{ value: '2' }]);
    expect(await measure('Overstock vs understock')).toEqual([{ understock: '4', overstock: '2' }]);
    expect(await measure('Supplier performance')).toEqual([
      { supplier_id: 'SUP-1', received: '15', stockout_minutes: '0' },
      { supplier_id: 'SUP-2', received: '13', stockout_minutes: '420' },
      // Z: 1440 on D2, D3-D7, and 720 on D8 until the 12:00 refresh.
      { supplier_id: 'unknown', received: '0', stockout_minutes: '9360' },
    ]);
    expect(await measure('ABC classes')).toEqual([
      { abc_class: 'A', skus: '3' },
      { abc_class: 'B', skus: '1' },
      { abc_class: 'C', skus: '1' },
    ]);
  });

  it('ML: accuracy of the newest run only, predicted vs actual, drift', async () => {
    // Errors 5-4, 1-0, 2-0 (the re-run replaced 3 with 5): MAPE over actual > 0 = 1/4, RMSE = sqrt(6/3).
    expect(await measure('Forecast accuracy (MAPE, WAPE, RMSE, bias)')).toEqual([
      { mape: 0.25, wape: 1, rmse: Number(Math.SQRT2.toFixed(6)), bias: 1 },
    ]);
    expect(await measure('Predicted vs actual')).toEqual([{ predicted: 8, actual: 4 }]);
    // Mean prediction 4 this week against 8 / 3 the week before.
    expect(await measure('Prediction drift (week over week)')).toEqual([{ value: 0.5 }]);
  });

  it('alerts: newest first, with store and product names and what each asked staff to do', async () => {
    expect(await measure('Alerts table')).toEqual([
      {
        alerted_at: '2026-03-09 08:05:00',
        store_name: 'Store s1',
        product_name: 'Product B',
        state: 'raised',
        kind: 'will_run_out',
        why: 'sells faster than stock lasts',
        risk: 0.9,
      },
      {
        alerted_at: '2026-03-03 20:30:00',
        store_name: 'Store s1',
        product_name: 'Product A',
        state: 'cleared',
        kind: 'will_run_out',
        why: '',
        risk: 0.2,
      },
      {
        alerted_at: '2026-03-03 12:30:00',
        store_name: 'Store s1',
        product_name: 'Product A',
        state: 'raised',
        kind: 'will_run_out',
        why: 'sells faster than stock lasts',
        risk: 0.7,
      },
    ]);
  });

  it('Power BI roles: each viewer sees only their stores, an unlisted viewer nothing', async () => {
    const netSalesAs = async (role: string, upn: string) => {
      const found = powerBiRoles.find((candidate) => candidate.name === role);
      const [result] = await rows(
        `SELECT round(sum(f.net_amount), 2) AS value, count() AS lines FROM fact_sales AS f
         INNER JOIN dim_store AS s ON f.store_key = s.store_key WHERE ${found?.sql}`,
        {},
        { upn },
      );
      return result;
    };
    expect(await netSalesAs('Store manager', 'mgr.s1@chain.example')).toEqual({ value: 30.5, lines: '6' });
    expect(await netSalesAs('Regional manager', 'rm.north@chain.example')).toEqual({ value: 30.5, lines: '6' });
    expect(await netSalesAs('Executive', 'exec@chain.example')).toEqual({ value: 57, lines: '9' });
    expect(await netSalesAs('Store manager', 'rm.north@chain.example')).toEqual({ value: 0, lines: '0' });
    expect(await netSalesAs('Executive', 'stranger@chain.example')).toEqual({ value: 0, lines: '0' });
  });
});

function row(
  date_key: number,
  store_id: string,
  sku: string,
  opening_units: number,
  on_hand_units: number,
  units_received: number,
  units_sold: number,
  units_returned: number,
  shrink_units: number,
  counted: number,
  stockout_minutes: number,
  stock_value: number,
  days_since_last_sale: number,
) {
  const int64 = (value: number) => String(value);
  return {
    date_key,
    store_id,
    sku,
    opening_units: int64(opening_units),
    on_hand_units: int64(on_hand_units),
    units_received: int64(units_received),
    units_sold: int64(units_sold),
    units_returned: int64(units_returned),
    shrink_units: int64(shrink_units),
    counted,
    stockout_minutes,
    stock_value,
    days_since_last_sale,
  };
}
