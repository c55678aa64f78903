import type { ClickHouseClient } from '@tillgate/hub';

// The bi-directquery benchmark's chain, generated inside ClickHouse with INSERT ... SELECT FROM
// numbers() (no rows cross the client): 500 stores x 5,000 SKUs x 90 days (2026-01-01..2026-03-31).
// Raw tables get what a chain of that size sends (sales, returns, deliveries, counts, alerts,
// forecasts, reorders; the materialized views keep fact_sales, fact_alerts and the aggregates), and
// fact_inventory gets its full store x SKU x day grain directly: the bi_prep refresh builds one day
// at a time, and the benchmark times that refresh on the last day separately.

/** TG_BENCH_BI_STORES shrinks the chain for a quick check of the benchmark itself; results use 500. */
export const scale = {
  stores: Number(process.env.TG_BENCH_BI_STORES ?? 500),
  skus: 5_000,
  days: 90,
  salesLinesPerStoreDay: 100,
} as const;
export const firstDay = '2026-01-01';
export const lastDay = '2026-03-31';

const storeId = (n: string) => `concat('store-', leftPad(toString(${n} + 1), 3, '0'))`;
const sku = (n: string) => `concat('SKU-', leftPad(toString(${n} + 1), 5, '0'))`;
/** Shelf price of SKU number n: the catalog and the raw lines agree on it. */
const price = (n: string) => `round(0.5 + (cityHash64(${n}) % 2000) / 100, 2)`;
const day = (n: string) => `toDate('${firstDay}') + toIntervalDay(${n})`;
const time = (dayN: string, seconds: string) =>
  `toDateTime64(toDateTime(${day(dayN)}, 'UTC') + toIntervalSecond(${seconds}), 3, 'UTC')`;
const key = (expression: string) => `toInt64(bitAnd(cityHash64(${expression}), 9223372036854775807))`;

const S = scale.stores;
const K = scale.skus;
const D = scale.days;
const SALES = S * D * scale.salesLinesPerStoreDay;

export const statements: { what: string; sql: string }[] = [
  {
    what: `store_registry: ${S} stores in 10 regions`,
    sql: `INSERT INTO store_registry SELECT ${storeId('number')}, concat('Store ', toString(number + 1)),
            concat('region-', toString(number % 10)), ['supermarket', 'hypermarket', 'convenience'][number % 3 + 1],
            toInt32(400 + number % 20 * 100), 'Europe/Berlin', '07:00', '21:00', 5000, now() FROM numbers(${S})`,
  },
  {
    what: `product_catalog: ${K} SKUs in 10 categories, 20 suppliers`,
    sql: `INSERT INTO product_catalog SELECT ${sku('number')}, concat('Product ', toString(number + 1)),
            ['dairy','bakery','produce','beverages','snacks','frozen','pantry','household','personal_care','pet'][number % 10 + 1],
            ['fresh','fresh','fresh','grocery','grocery','fresh','grocery','non-food','non-food','non-food'][number % 10 + 1],
            ${price('number')}, concat('SUP-', toString(number % 20)), toInt32(1 + number % 7), toInt32(6), now()
          FROM numbers(${K})`,
  },
  {
    what: `sales_lines: ${SALES.toLocaleString('en')} (${scale.salesLinesPerStoreDay} per store-day, popular SKUs sell more)`,
    sql: `INSERT INTO sales_lines SELECT concat('e', toString(number)), 0, ${storeId('number % ' + S)}, 'pos-1', number,
            ${time(`intDiv(number, ${S * scale.salesLinesPerStoreDay})`, '25200 + cityHash64(number, 2) % 50400')} AS at, at, 'EUR', '', 1,
            ${sku('k')}, toUInt32(1 + number % 3), toDecimal64(${price('k')}, 4), false, 0, number, at
          FROM (SELECT number, toUInt64(${K} * pow((cityHash64(number, 1) % 1000000) / 1e6, 2)) AS k FROM numbers(${SALES}))`,
  },
  {
    what: `return_lines: ${(SALES / 100).toLocaleString('en')} (1 %)`,
    sql: `INSERT INTO return_lines SELECT concat('r', toString(number)), 0, ${storeId('number % ' + S)}, 'pos-1', number,
            ${time(`number % ${D}`, '36000 + cityHash64(number) % 36000')} AS at, at, 'EUR', '', ${sku('cityHash64(number, 3) % ' + K)},
            1, toDecimal64(2.5, 4), 'unwanted', true, 0, number, at FROM numbers(${SALES / 100})`,
  },
  {
    what: `delivery_lines: ${(S * K * 3).toLocaleString('en')} (every store-SKU once in 30 days)`,
    sql: `INSERT INTO delivery_lines SELECT concat('d', toString(number)), 0, ${storeId('number % ' + S)}, 'bo-1', number,
            ${time(`intDiv(number, ${S * K}) * 30 + intDiv(number, ${S}) % ${K} % 30`, '21600')} AS at, at, concat('del', toString(number)),
            concat('SUP-', toString(intDiv(number, ${S}) % ${K} % 20)), ${sku(`intDiv(number, ${S}) % ${K}`)}, 40, 0, number, at
          FROM numbers(${S * K * 3})`,
  },
  {
    what: `shelf_counts: ${((S * K * D) / 100).toLocaleString('en')} (1 % of store-SKUs counted nightly)`,
    sql: `INSERT INTO shelf_counts SELECT concat('c', toString(number)), ${storeId('number % ' + S)}, 'bo-1', number,
            ${time(`number % ${D}`, '79200')} AS at, at, ${sku('cityHash64(number) % ' + K)}, toUInt32(cityHash64(number, 1) % 30), 0, number, at
          FROM numbers(${(S * K * D) / 100})`,
  },
  {
    what: `alerts: ${((S * K * D) / 1000).toLocaleString('en')} (0.1 % of store-SKU-days)`,
    sql: `INSERT INTO alerts (alert_id, store_id, sku, state, risk, threshold, on_hand, model_name, model_version,
            trigger_event_id, at, kafka_partition, kafka_offset, ingested_at) SELECT concat('al', toString(number)), ${storeId('number % ' + S)}, ${sku('cityHash64(number) % ' + K)},
            if(number % 2 = 0, 'raised', 'cleared'), 0.8, 0.5, 0, 'stockout-risk', '1', 'x',
            ${time(`number % ${D}`, '28800 + cityHash64(number, 1) % 43200')} AS at, 0, number, at FROM numbers(${(S * K * D) / 1000})`,
  },
  {
    what: `ml_forecast_results: ${(S * 500 * 7 * 7).toLocaleString('en')} (7 forecast days x 7 targets, top 500 SKUs per store)`,
    sql: `INSERT INTO ml_forecast_results SELECT ${storeId('number % ' + S)}, ${sku(`intDiv(number, ${S}) % 500`)},
            ${day(`${D - 7} + intDiv(number, ${S * 500 * 7})`)} AS made, made + toIntervalDay(1 + intDiv(number, ${S * 500}) % 7),
            'demand', '1', 'run', 1 + cityHash64(number) % 5, NULL, now64(3) FROM numbers(${S * 500 * 7 * 7})`,
  },
  {
    what: `reorder_predictions: ${(S * K).toLocaleString('en')} (last day)`,
    sql: `INSERT INTO reorder_predictions SELECT ${storeId('number % ' + S)}, ${sku(`intDiv(number, ${S})`)}, toDate('${lastDay}'),
            'reorder', '1', 'run', 6, 3, 2, 2, 8, toInt64(cityHash64(number) % 3 * 6), now64(3) FROM numbers(${S * K})`,
  },
  {
    what: `fact_inventory: ${(S * K * D).toLocaleString('en')} (every store x SKU x day)`,
    sql: `INSERT INTO fact_inventory SELECT toInt32(toYYYYMMDD(${day('d')})), ${key(storeId('s'))}, ${key(sku('k'))}, ${storeId('s')}, ${sku('k')},
            toInt64(h % 40) - 2 AS opening, opening - toInt64(h % 3) AS on_hand, toInt64(if(h % 30 = 0, 40, 0)), toInt64(h % 3), 0,
            toInt64(h % 97 = 0), 0, toInt8(h % 100 = 0), toInt32(if(on_hand <= 0, 300, 0)), round(greatest(on_hand, 0) * ${price('k')}, 2),
            toInt32(h % 9), 8, toInt64(if(on_hand < 4, 12, 0)), now()
          FROM (SELECT intDiv(number, ${S * K}) AS d, number % ${S} AS s, intDiv(number, ${S}) % ${K} AS k, cityHash64(number) AS h
                FROM numbers(${S * K * D}))`,
  },
];

export async function generate(client: ClickHouseClient, log: (line: string) => void): Promise<void> {
  for (const { what, sql } of statements) {
    const started = performance.now();
    await client.command({ query: sql, clickhouse_settings: { max_partitions_per_insert_block: '1000' } });
    log(`${what}: ${Math.round((performance.now() - started) / 1000)} s`);
  }
}
