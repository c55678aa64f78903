import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClickHouse, migrate } from '@tillgate/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKpis } from '../../hub/src/dashboard/kpi-queries.ts';

// The KPI cards' SQL against a history small enough to work out by hand, on real chDB (raw rows
// inserted as the consumer writes them; the materialized views do the rest). Now = Tue 2026-03-10 12:00.
//   s1 ALPHA (10.00): counted 20 on 03-02; sold 1 on 03-03 11:00, 3 on 03-03 13:00, 2 on 03-10 09:00 -> on hand 14
//   s1 BETA (5.50): counted 0 on 03-10 08:00; sold 1 at 10:00 -> on hand -1 (a stock-out today)
//   s2 GAMMA (100.00): sold 1 on 03-10 09:30, never counted
// Revenue today s1 = 2 x 10 + 5.50 = 25.50; same weekday last week up to 12:00 = 10 (13:00 is later).
const now = new Date('2026-03-10T12:00:00.000Z');
let seq = 0;
const base = (store: string, at: string) => ({
  event_id: `e${++seq}`,
  store_id: store,
  terminal_id: 'pos-1',
  terminal_seq: seq,
  occurred_at: at,
  received_at: at,
  kafka_partition: 0,
  kafka_offset: seq,
  ingested_at: at,
});
const sale = (store: string, at: string, sku: string, quantity: number, price: number) => ({
  ...base(store, at),
  line_no: 0,
  currency: 'EUR',
  customer_ref: '',
  line_count: 1,
  sku,
  quantity,
  unit_price: price,
  promo: false,
});
const count = (store: string, at: string, sku: string, counted: number) => ({
  ...base(store, at),
  sku,
  counted_quantity: counted,
});

describe('KPI queries', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-kpis-'));
    clickhouse = createClickHouse({ dataPath: join(dir, 'chdb'), username: 'default', password: '' });
    await migrate(clickhouse);
    await clickhouse.insert({
      table: 'shelf_counts',
      values: [count('s1', '2026-03-02 08:00:00.000', 'ALPHA', 20), count('s1', '2026-03-10 08:00:00.000', 'BETA', 0)],
      format: 'JSONEachRow',
    });
    await clickhouse.insert({
      table: 'sales_lines',
      values: [
        sale('s1', '2026-03-03 11:00:00.000', 'ALPHA', 1, 10),
        sale('s1', '2026-03-03 13:00:00.000', 'ALPHA', 3, 10),
        sale('s1', '2026-03-10 09:00:00.000', 'ALPHA', 2, 10),
        sale('s1', '2026-03-10 10:00:00.000', 'BETA', 1, 5.5),
        sale('s2', '2026-03-10 09:30:00.000', 'GAMMA', 1, 100),
      ],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await clickhouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes revenue, stock value, stock-outs and turnover for one store', async () => {
    expect(await readKpis(clickhouse, 's1', now)).toEqual({
      revenue: [{ currency: 'EUR', today: 25.5, sameWeekdayLastWeek: 10 }],
      stockValue: [{ currency: 'EUR', value: 140, units: 14 }],
      stockOutsToday: 1,
      turnover30d: { unitsSold: 7, unitsOnHand: 14, ratio: 0.5 },
    });
  });

  it('adds up every store when the login sees all', async () => {
    const all = await readKpis(clickhouse, '', now);
    expect(all.revenue).toEqual([{ currency: 'EUR', today: 125.5, sameWeekdayLastWeek: 10 }]);
    // GAMMA was never counted, so it has no book stock: inventory_on_hand starts at a count.
    expect(all.turnover30d).toEqual({ unitsSold: 8, unitsOnHand: 14, ratio: 8 / 14 });
  });
});
