import { createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedDataset, resentCopies } from './fixed-dataset.ts';
import { type HubTestEnv, hubTestEnv, produce, waitForCaughtUp } from './hub-test-kit.ts';

// Must-show: the aggregates kept by materialized views equal a hand-computed expectation on a fixed
// dataset with returns, a late event and edge re-sends. Real Kafka (deploy/local/kafka.sh) and chDB.
describe('aggregates on a fixed dataset', () => {
  let env: HubTestEnv;
  let hub: RunningHub;
  const clickhouse = () => createClickHouse(env.config.clickhouse);

  beforeAll(async () => {
    env = hubTestEnv();
    hub = await startHub(env.config, { clickhouse: true, lake: false, api: false });
    await produce(env, fixedDataset);
    await waitForCaughtUp(env, 'clickhouse');
    // The re-sends arrive after the originals were ingested, as they would after an edge crash.
    await produce(env, resentCopies);
    await waitForCaughtUp(env, 'clickhouse');
  });

  afterAll(async () => {
    await hub?.stop();
    await env?.cleanup();
  });

  const rows = async (query: string) => {
    const client = clickhouse();
    try {
      return await (await client.query({ query, format: 'JSONEachRow' })).json();
    } finally {
      await client.close();
    }
  };

  it('keeps each event once in the raw tables despite re-sends', async () => {
    expect(
      await rows(`SELECT (SELECT count() FROM sales_lines) AS sale_lines, (SELECT count() FROM return_lines) AS return_lines,
                  (SELECT count() FROM inventory_adjustments) AS adjustments`),
    ).toEqual([{ sale_lines: '5', return_lines: '2', adjustments: '1' }]);
  });

  it('daily_sales_summary: the late sale counts on the day it happened', async () => {
    expect(
      await rows(`SELECT day, toString(sum(gross_revenue)) AS gross, sum(units_sold) AS units, sum(sale_lines) AS lines,
                    sum(baskets) AS baskets, toString(sum(refunded_amount)) AS refunded, sum(units_returned) AS returned,
                    sum(returns) AS returns
                  FROM daily_sales_summary WHERE store_id = 's1' GROUP BY day ORDER BY day`),
    ).toEqual([
      {
        day: '2026-03-02',
        gross: '45.5',
        units: '5',
        lines: '4',
        baskets: '3',
        refunded: '0',
        returned: '0',
        returns: '0',
      },
      {
        day: '2026-03-03',
        gross: '16.5',
        units: '3',
        lines: '1',
        baskets: '1',
        refunded: '15.5',
        returned: '2',
        returns: '2',
      },
    ]);
  });

  it('product_performance per SKU and day', async () => {
    expect(
      await rows(`SELECT sku, day, sum(units_sold) AS units, sum(promo_units) AS promo, toString(sum(revenue)) AS revenue,
                    sum(units_returned) AS returned, toString(sum(refunded_amount)) AS refunded
                  FROM product_performance GROUP BY sku, day ORDER BY sku, day`),
    ).toEqual([
      { sku: 'ALPHA', day: '2026-03-02', units: '4', promo: '0', revenue: '40', returned: '0', refunded: '0' },
      { sku: 'ALPHA', day: '2026-03-03', units: '0', promo: '0', revenue: '0', returned: '1', refunded: '10' },
      { sku: 'BETA', day: '2026-03-02', units: '1', promo: '1', revenue: '5.5', returned: '0', refunded: '0' },
      { sku: 'BETA', day: '2026-03-03', units: '3', promo: '0', revenue: '16.5', returned: '1', refunded: '5.5' },
    ]);
  });

  it('customer_analytics: baskets, items, identified customers, visitors, scans', async () => {
    expect(
      await rows(`SELECT day, sum(baskets) AS baskets, sum(items) AS items, uniqExactMerge(identified_customers) AS customers,
                    sum(visitors) AS visitors, sum(scans) AS scans
                  FROM customer_analytics WHERE store_id = 's1' GROUP BY day ORDER BY day`),
    ).toEqual([
      { day: '2026-03-02', baskets: '3', items: '5', customers: '2', visitors: '40', scans: '0' },
      { day: '2026-03-03', baskets: '1', items: '3', customers: '1', visitors: '25', scans: '1' },
    ]);
  });

  it('inventory: movements per store-SKU, and on-hand from the last count on', async () => {
    expect(
      await rows(`SELECT sku, sum(units_sold) AS sold, sum(units_received) AS received,
                    sum(units_returned_to_stock) AS restocked, sum(units_adjusted) AS adjusted
                  FROM inventory_by_store WHERE store_id = 's1' GROUP BY sku ORDER BY sku`),
    ).toEqual([
      { sku: 'ALPHA', sold: '4', received: '20', restocked: '1', adjusted: '0' },
      { sku: 'BETA', sold: '4', received: '10', restocked: '0', adjusted: '-2' },
    ]);
    // ALPHA: counted 16 at 03-02 20:00 (the late 15:00 sale is already in that count), +1 restocked.
    // BETA: never counted: 10 received - 1 - 3 sold - 2 damaged; the defective return is not restocked.
    expect(await rows(`SELECT sku, on_hand FROM inventory_on_hand WHERE store_id = 's1' ORDER BY sku`)).toEqual([
      { sku: 'ALPHA', on_hand: '17' },
      { sku: 'BETA', on_hand: '4' },
    ]);
  });

  it('stock_movements holds one signed row per movement', async () => {
    expect(
      await rows(
        `SELECT kind, count() AS n, sum(quantity_delta) AS delta FROM stock_movements GROUP BY kind ORDER BY kind`,
      ),
    ).toEqual([
      { kind: 'adjustment', n: '1', delta: '-2' },
      { kind: 'count', n: '1', delta: '0' },
      { kind: 'delivery', n: '2', delta: '30' },
      { kind: 'return', n: '1', delta: '1' },
      { kind: 'sale', n: '5', delta: '-8' },
    ]);
  });
});
