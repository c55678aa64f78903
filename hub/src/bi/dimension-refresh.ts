import type { ClickHouseClient } from '../clickhouse.ts';
import { surrogateKey } from './surrogate-key.ts';
import { replaceTable } from './table-swap.ts';

// dim_store and dim_product are rebuilt whole from the imported registry / catalog plus "unknown"
// members for keys a fact mentions that the import lacks. Power BI's relationships assume
// referential integrity (INNER joins fold; outer joins only under join_use_nulls = 1), so a fact row
// without its dimension row would silently drop out of every total. Unknown members found before are
// kept; new ones are looked for in facts since `since` (only new fact rows can bring new keys).

export interface DimensionRefreshResult {
  stores: number;
  unknownStores: number;
  products: number;
  unknownProducts: number;
}

const noNulls = { join_use_nulls: 0 } as const;

/** Store keys seen in facts on or after `since` (date_key). */
const factStoreKeys = `
  SELECT store_key, store_id FROM fact_sales WHERE date_key >= {since:Int32}
  UNION ALL SELECT store_key, store_id FROM fact_inventory WHERE date_key >= {since:Int32}
  UNION ALL SELECT store_key, store_id FROM fact_ml_predictions WHERE date_key >= {since:Int32}
  UNION ALL SELECT store_key, store_id FROM fact_alerts WHERE date_key >= {since:Int32}
  UNION ALL SELECT store_key, store_id FROM dim_store WHERE is_known = 0`;

const factProductKeys = factStoreKeys
  .replaceAll('store_key, store_id', 'product_key, sku')
  .replace('FROM dim_store WHERE', 'FROM dim_product WHERE');

async function rebuildDimStore(client: ClickHouseClient, since: number): Promise<void> {
  await replaceTable(client, 'dim_store', async (staging) => {
    await client.command({
      query: `INSERT INTO ${staging}
              SELECT ${surrogateKey('store_id')}, store_id, store_name, region, format, size_sqm, time_zone,
                     opens_at, closes_at, concat(opens_at, '-', closes_at), daily_sales_target, toInt8(1)
              FROM store_registry
              UNION ALL
              SELECT store_key, any(store_id), concat('unknown store ', any(store_id)), 'unknown', 'unknown',
                     toInt32(0), 'UTC', '', '', '', toFloat64(0), toInt8(0)
              FROM (${factStoreKeys})
              WHERE store_key NOT IN (SELECT ${surrogateKey('store_id')} FROM store_registry)
              GROUP BY store_key`,
      query_params: { since },
    });
  });
}

/**
 * ABC class by the last 90 days' net sales: A while the share of the SKUs ranked above this one is
 * under 80 %, B under 95 %, C after that and for SKUs without positive sales.
 */
const abcClasses = `
  SELECT product_key,
         multiIf(net <= 0, 'C', share_before < 0.8, 'A', share_before < 0.95, 'B', 'C') AS abc_class
  FROM
  (
    SELECT product_key, net,
           (sum(net) OVER (ORDER BY net DESC, product_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - net)
             / sum(greatest(net, 0)) OVER () AS share_before
    FROM (SELECT product_key, sum(net_amount) AS net FROM fact_sales
          WHERE date_key >= {abcSince:Int32} AND date_key <= {today:Int32} GROUP BY product_key)
  )`;

async function rebuildDimProduct(client: ClickHouseClient, since: number, abcSince: number, today: number) {
  await replaceTable(client, 'dim_product', async (staging) => {
    await client.command({
      query: `INSERT INTO ${staging}
              SELECT p.product_key, p.sku, p.product_name, p.category, p.department, p.price,
                     multiIf(p.price < 2, 'low', p.price < 6, 'mid', 'high'), p.supplier_id, p.lead_time_days,
                     p.pack_size, if(abc.abc_class = '', 'C', abc.abc_class), p.is_known
              FROM
              (
                SELECT ${surrogateKey('sku')} AS product_key, sku, product_name, category, department, price,
                       supplier_id, lead_time_days, pack_size, toInt8(1) AS is_known
                FROM product_catalog
                UNION ALL
                SELECT product_key, any(sku), concat('unknown product ', any(sku)), 'unknown', 'unknown',
                       toFloat64(0), 'unknown', toInt32(0), toInt32(0), toInt8(0)
                FROM (${factProductKeys})
                WHERE product_key NOT IN (SELECT ${surrogateKey('sku')} FROM product_catalog)
                GROUP BY product_key
              ) AS p
              LEFT JOIN (${abcClasses}) AS abc ON abc.product_key = p.product_key`,
      query_params: { since, abcSince, today },
      clickhouse_settings: noNulls,
    });
  });
}

export async function refreshDimensions(
  client: ClickHouseClient,
  window: { since: number; abcSince: number; today: number },
): Promise<DimensionRefreshResult> {
  await rebuildDimStore(client, window.since);
  await rebuildDimProduct(client, window.since, window.abcSince, window.today);
  const result = await client.query({
    query: `SELECT (SELECT count() FROM dim_store) AS stores, (SELECT countIf(is_known = 0) FROM dim_store) AS unknownStores,
                   (SELECT count() FROM dim_product) AS products,
                   (SELECT countIf(is_known = 0) FROM dim_product) AS unknownProducts`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<Record<keyof DimensionRefreshResult, string>>();
  return {
    stores: Number(row?.stores),
    unknownStores: Number(row?.unknownStores),
    products: Number(row?.products),
    unknownProducts: Number(row?.unknownProducts),
  };
}
