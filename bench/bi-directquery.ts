import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouse, dashboardMeasures, migrate, refreshBi } from '@tillgate/hub';
import { generate, lastDay, scale } from './lib/bi-bench-data.ts';
import { median, percentile, round, writeResult } from './lib/result-file.ts';

// Latency of the seed dashboards' DirectQuery SQL (hub/src/bi/dashboard-measures.ts: star joins,
// dimension filters, no FINAL) on 500 stores x 5,000 SKUs x 90 days, against the same questions
// asked of the raw tables (sales_lines, return_lines, delivery_lines, inventory_on_hand, alerts,
// ml_forecast_results plus the imported registry / catalog), interleaved query by query on the same
// embedded chDB. The dataset is generated once into .run/bench/ and reused (delete it to rebuild).

const RUNS = 5;
const dir = fileURLToPath(new URL(`../.run/bench/bi-directquery-${scale.stores}/`, import.meta.url));
const fresh = !existsSync(join(dir, 'generated'));
mkdirSync(dir, { recursive: true });
const client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
const log = (line: string) => process.stdout.write(`${line}\n`);
const now = new Date(`${lastDay}T23:59:00.000Z`);
await migrate(client); // idempotent: a cached dataset gets migrations added since it was generated
if (fresh) {
  await generate(client, log);
  writeFileSync(join(dir, 'generated'), new Date().toISOString());
}
// The bi_prep refresh at this scale: the last day of fact_inventory rebuilt from the day before and
// the day's movements, 9 forecast days, dimensions with ABC over 90 days of sales.
const refreshStarted = performance.now();
const refresh = await refreshBi(client, { now, inventoryDays: 1, forecastDays: 9 });
const refreshSeconds = round((performance.now() - refreshStarted) / 1000, 1);
log(`bi-refresh: ${refreshSeconds} s ${JSON.stringify(refresh.dimensions)}`);

const count = async (table: string) =>
  Number(
    (
      await (
        await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
      ).json<{ n: string }>()
    )[0]?.n,
  );
const rowCounts: Record<string, number> = {};
for (const table of [
  'sales_lines',
  'return_lines',
  'delivery_lines',
  'shelf_counts',
  'stock_movements',
  'alerts',
  'ml_forecast_results',
  'fact_sales',
  'fact_inventory',
  'fact_ml_predictions',
  'fact_alerts',
  'dim_store',
  'dim_product',
]) {
  rowCounts[table] = await count(table);
}
log(JSON.stringify(rowCounts));

const params = { from: 20260325, to: 20260331, today: 20260331, weekStart: 20260325, store: 'store-001' };

/** The same question on raw tables: what an analyst could ask without the star schema. */
const rawQuestions: Record<string, string> = {
  'Net sales': `SELECT round((SELECT sum(toFloat64(quantity * unit_price)) FROM sales_lines
      WHERE toYYYYMMDD(occurred_at) BETWEEN {from:Int32} AND {to:Int32})
    - (SELECT sum(toFloat64(quantity * unit_price)) FROM return_lines WHERE toYYYYMMDD(occurred_at) BETWEEN {from:Int32} AND {to:Int32}), 2) AS value`,
  'Net sales vs same day last week': `SELECT sumIf(toFloat64(quantity * unit_price), toYYYYMMDD(occurred_at) = {today:Int32}) AS this_week,
      sumIf(toFloat64(quantity * unit_price), toDate(occurred_at) = toDate(toString({today:Int32})) - 7) AS last_week
    FROM sales_lines WHERE toDate(occurred_at) IN (toDate(toString({today:Int32})), toDate(toString({today:Int32})) - 7)`,
  'Stock value': `SELECT round(sum(greatest(o.on_hand, 0) * c.price), 2) AS value FROM inventory_on_hand AS o
    INNER JOIN product_catalog AS c ON c.sku = o.sku`,
  'Inventory by category': `SELECT c.category, sum(o.on_hand) AS on_hand FROM inventory_on_hand AS o
    INNER JOIN product_catalog AS c ON c.sku = o.sku WHERE o.store_id = {store:String} GROUP BY c.category ORDER BY c.category`,
  'Sales vs target': `SELECT (SELECT sum(toFloat64(quantity * unit_price)) FROM sales_lines WHERE store_id = {store:String}
      AND toYYYYMMDD(occurred_at) BETWEEN {from:Int32} AND {to:Int32}) / ((SELECT sum(daily_sales_target) FROM store_registry
      WHERE store_id = {store:String}) * 7) AS value`,
  'Supplier performance': `SELECT supplier_id, sum(quantity) AS received FROM delivery_lines
    WHERE toYYYYMMDD(occurred_at) BETWEEN {from:Int32} AND {to:Int32} GROUP BY supplier_id ORDER BY supplier_id`,
  'Slow movers': `SELECT count() AS value FROM inventory_on_hand AS o
    LEFT ANTI JOIN (SELECT DISTINCT store_id, sku FROM sales_lines WHERE toYYYYMMDD(occurred_at) BETWEEN {weekStart:Int32} AND {today:Int32}) AS w
    ON w.store_id = o.store_id AND w.sku = o.sku WHERE o.on_hand > 0`,
  'Forecast accuracy (MAPE, WAPE, RMSE, bias)': `SELECT sum(abs(f.p - ifNull(a.units, 0))) / sum(ifNull(a.units, 0)) AS wape FROM
    (SELECT store_id, sku, target_date, argMax(predicted_units, created_at) AS p FROM ml_forecast_results
     WHERE toYYYYMMDD(target_date) BETWEEN {from:Int32} AND {to:Int32} AND target_date < toDate(toString({today:Int32})) GROUP BY store_id, sku, target_date, model_name, model_version, forecast_date) AS f
    LEFT JOIN (SELECT store_id, sku, toDate(occurred_at) AS day, sum(quantity) AS units FROM sales_lines
               WHERE toYYYYMMDD(occurred_at) BETWEEN {from:Int32} AND {to:Int32} GROUP BY store_id, sku, day) AS a
    ON a.store_id = f.store_id AND a.sku = f.sku AND a.day = f.target_date`,
  'Alerts table': `SELECT at, store_id, sku, state, risk FROM alerts WHERE toYYYYMMDD(at) BETWEEN {from:Int32} AND {to:Int32}
    ORDER BY at DESC, alert_id LIMIT 1000`,
};

const timed = async (sql: string): Promise<number> => {
  const started = performance.now();
  const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  await result.json();
  return performance.now() - started;
};

const starTimes = new Map<string, number[]>();
const rawTimes = new Map<string, number[]>();
for (const measure of dashboardMeasures) await timed(measure.sql); // warm-up: caches, code paths
for (const sql of Object.values(rawQuestions)) await timed(sql);
for (let run = 0; run < RUNS; run++) {
  for (const measure of dashboardMeasures) {
    starTimes.set(measure.name, [...(starTimes.get(measure.name) ?? []), await timed(measure.sql)]);
    const raw = rawQuestions[measure.name];
    if (raw !== undefined) rawTimes.set(measure.name, [...(rawTimes.get(measure.name) ?? []), await timed(raw)]);
  }
  log(`run ${run + 1}/${RUNS} done`);
}
await client.close();

const pooled = [...starTimes.values()].flat();
const pairedStar = [...rawTimes.keys()].flatMap((name) => starTimes.get(name) ?? []);
const pairedRaw = [...rawTimes.values()].flat();
const perQuery = Object.fromEntries(
  dashboardMeasures.map((measure) => {
    const star = starTimes.get(measure.name) ?? [];
    const raw = rawTimes.get(measure.name);
    return [
      measure.name,
      {
        dashboard: measure.dashboard,
        star_p50_ms: round(median(star), 1),
        ...(raw === undefined
          ? {}
          : { raw_p50_ms: round(median(raw), 1), raw_over_star: round(median(raw) / median(star), 2) }),
      },
    ];
  }),
);
const p99 = round(percentile(pooled, 99), 1);
const rawP99 = round(percentile(pairedRaw, 99), 1);
const file = writeResult({
  name: 'bi-directquery',
  what:
    `pooled p99 latency of the ${dashboardMeasures.length} seed dashboard queries as DirectQuery folds them (star joins, dimension filters, no FINAL), ` +
    `${scale.stores} stores x ${scale.skus} SKUs x ${scale.days} days${scale.stores === 500 ? '' : ' (REDUCED: TG_BENCH_BI_STORES; the issue asks for 500)'}, embedded chDB; ratio = raw p99 / star p99 over the ${Object.keys(rawQuestions).length} questions the raw tables can answer`,
  unit: 'ms',
  value: p99,
  p50: round(percentile(pooled, 50), 1),
  p99,
  max: round(Math.max(...pooled), 1),
  baseline: {
    what: 'the same questions on the raw tables (sales_lines, inventory_on_hand, ...), pooled p99',
    value: rawP99,
  },
  ratio: round(rawP99 / round(percentile(pairedStar, 99), 1), 2),
  paired_star_p99_ms: round(percentile(pairedStar, 99), 1),
  paired_star_p50_ms: round(percentile(pairedStar, 50), 1),
  paired_raw_p50_ms: round(percentile(pairedRaw, 50), 1),
  goal_note: 'issue 17 sets no latency figure; the ratio shows what the star schema buys',
  offered_load: 'one query at a time (a single report page refreshing)',
  runs: RUNS,
  spread: { min: round(Math.min(...pooled), 1), max: round(Math.max(...pooled), 1) },
  scale,
  row_counts: rowCounts,
  bi_refresh_seconds: refreshSeconds,
  per_query: perQuery,
  command: 'npm run bench -- bi-directquery',
});
log(`wrote ${file}: star p50 ${round(percentile(pooled, 50), 1)} ms, p99 ${p99} ms; raw p99 ${rawP99} ms`);
process.exit(0);
