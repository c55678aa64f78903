import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreEvent } from '@tillgate/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseClient, createClickHouse } from '../clickhouse.ts';
import { decodeMessage } from '../ingest/message-decoder.ts';
import { migrate } from '../migrate.ts';
import { rebuildAggregates } from './rebuild-aggregates.ts';

// The operator's repair for aggregates a stalled writer double-counted (issue 15 item 5), on real chDB
// with the real migrations: a batch of 2026-03-01 inserted twice (as two owners of one partition
// did) doubles that day's sums while the raw table keeps one copy per key; the rebuild brings that
// day back to what was sold and leaves 2026-03-02 as it was.
const dir = mkdtempSync(join(tmpdir(), 'tg-rebuild-'));
let client: ClickHouseClient;

function sale(id: string, day: string, sku: string, quantity: number): StoreEvent {
  const at = `${day}T10:00:00.000Z`;
  return {
    schema: 1,
    type: 'sale',
    event_id: id,
    store_id: 's1',
    terminal_id: 'pos-1',
    terminal_seq: Number(id.replace(/\D/g, '')),
    occurred_at: at,
    received_at: at,
    currency: 'EUR',
    lines: [{ sku, quantity, unit_price: 2, promo: false }],
  };
}

async function insertSales(events: StoreEvent[], offset: number): Promise<void> {
  for (const [index, event] of events.entries()) {
    const origin = { partition: 0, offset: String(offset + index), ingestedAt: '2026-03-03 00:00:00.000' };
    const decoded = decodeMessage('sales-transactions', Buffer.from(JSON.stringify(event)), origin);
    if (!decoded.ok) throw new Error(decoded.rejection.reason);
    await client.insert({ table: decoded.rows.table, values: decoded.rows.rows, format: 'JSONEachRow' });
  }
}

const rows = async (query: string) => (await client.query({ query, format: 'JSONEachRow' })).json();
const dailySums = () =>
  rows(`SELECT toString(day) AS day, toString(sum(gross_revenue)) AS revenue, sum(baskets) AS baskets
        FROM daily_sales_summary GROUP BY day ORDER BY day`);
const soldPerSku = () => rows(`SELECT sku, sum(units_sold) AS sold FROM inventory_by_store GROUP BY sku ORDER BY sku`);

beforeAll(async () => {
  client = createClickHouse({ dataPath: join(dir, 'chdb'), username: 'default', password: '' });
  await migrate(client);
  const dayOne = [sale('e1', '2026-03-01', 'SKU-A', 2), sale('e2', '2026-03-01', 'SKU-B', 1)];
  await insertSales(dayOne, 0);
  await insertSales([sale('e3', '2026-03-02', 'SKU-A', 5)], 2);
  await insertSales(dayOne, 0); // the stale owner's copy of the same batch
});

afterAll(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rebuild-aggregates', () => {
  it('brings a double-counted day back to its raw events and leaves other days alone', async () => {
    expect(await dailySums()).toEqual([
      { day: '2026-03-01', revenue: '12', baskets: '4' },
      { day: '2026-03-02', revenue: '10', baskets: '1' },
    ]);
    const report = await rebuildAggregates(client, '2026-03-01', '2026-03-01');
    expect(report.rebuilt.daily_sales_summary).toEqual([
      'daily_sales_summary_returns_mv',
      'daily_sales_summary_sales_mv',
    ]);
    const expected = [
      { day: '2026-03-01', revenue: '6', baskets: '2' },
      { day: '2026-03-02', revenue: '10', baskets: '1' },
    ];
    expect(await dailySums()).toEqual(expected);
    expect(await rows('SELECT count() AS n FROM stock_movements')).toEqual([{ n: '3' }]);
    expect(await soldPerSku()).toEqual([
      { sku: 'SKU-A', sold: '7' },
      { sku: 'SKU-B', sold: '1' },
    ]);
    // Idempotent: a second run changes nothing.
    await rebuildAggregates(client, '2026-03-01', '2026-03-02');
    expect(await dailySums()).toEqual(expected);
    expect(await soldPerSku()).toEqual([
      { sku: 'SKU-A', sold: '7' },
      { sku: 'SKU-B', sold: '1' },
    ]);
  });

  it.each([
    ['2026-3-01', '2026-03-02', /--from must be a real date/],
    ['2026-02-30', '2026-03-02', /--from must be a real date/],
    ['2026-03-02', '2026-03-01', /is after --to/],
    ['2024-01-01', '2026-03-01', /at most 366 days/],
  ])('refuses --from %s --to %s and changes nothing', async (from, to, message) => {
    const before = await dailySums();
    await expect(rebuildAggregates(client, from, to)).rejects.toThrow(message);
    expect(await dailySums()).toEqual(before);
  });
});
