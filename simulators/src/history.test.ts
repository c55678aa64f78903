import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { posEvent } from '@tillgate/shared';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { runHistory } from './history.ts';
import { historyFiles, writeHistory } from './history-writer.ts';
import { defaultHistoryStart, defaultScenario, type Scenario } from './scenario.ts';

const scenario: Scenario = { ...defaultScenario, stores: 2, skus: 120, basketsPerDay: 500 };
const DAYS = 35;
const history = runHistory(scenario, defaultHistoryStart, DAYS);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('history simulation', () => {
  it('is a pure function of the seed', () => {
    const again = runHistory(scenario, defaultHistoryStart, DAYS);
    expect(again).toEqual(history);
    const other = runHistory({ ...scenario, seed: scenario.seed + 1 }, defaultHistoryStart, DAYS);
    expect(other.events.length).not.toBe(history.events.length);
  });

  it('emits only events the shared contract accepts, with unique ids and monotonic terminal_seq', () => {
    const ids = new Set<string>();
    const lastSeq = new Map<string, number>();
    for (const event of history.events) {
      const parsed = posEvent.safeParse(event);
      if (!parsed.success) throw new Error(`${event.event_id}: ${JSON.stringify(parsed.error.issues[0])}`);
      expect(ids.has(event.event_id)).toBe(false);
      ids.add(event.event_id);
      const terminal = `${event.store_id}/${event.terminal_id}`;
      expect(event.terminal_seq).toBe((lastSeq.get(terminal) ?? 0) + 1);
      lastSeq.set(terminal, event.terminal_seq);
    }
    const types = new Set(history.events.map((e) => e.type));
    expect([...types].sort()).toEqual([
      'foot_traffic',
      'inventory_adjustment',
      'price_change',
      'product_scan',
      'return',
      'sale',
      'shelf_count',
      'supplier_delivery',
    ]);
  });

  it('shows weekly and daily seasonality in the sales', () => {
    const byWeekday = new Array<number>(7).fill(0);
    const byHour = new Array<number>(24).fill(0);
    for (const event of history.events) {
      if (event.type !== 'sale') continue;
      const at = new Date(event.occurred_at);
      byWeekday[at.getUTCDay()] = (byWeekday[at.getUTCDay()] ?? 0) + 1;
      byHour[at.getUTCHours()] = (byHour[at.getUTCHours()] ?? 0) + 1;
    }
    const [sunday = 0, , tuesday = 0, , , , saturday = 0] = byWeekday;
    expect(saturday).toBeGreaterThan(tuesday * 1.3);
    expect(tuesday).toBeGreaterThan(sunday * 1.1);
    expect(byHour[18]).toBeGreaterThan((byHour[7] ?? 0) * 2.5);
    expect(byHour[3]).toBe(0);
  });

  it('sells more of a SKU while it is on promotion (price elasticity)', () => {
    const bySku = new Map<string, { promo: number[]; regular: number[] }>();
    for (const d of history.daily) {
      const key = `${d.store_id}/${d.sku}`;
      const entry = bySku.get(key) ?? { promo: [], regular: [] };
      (d.promo ? entry.promo : entry.regular).push(d.demand_units);
      bySku.set(key, entry);
    }
    const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
    const lifts = [...bySku.values()]
      .filter((e) => e.promo.length > 0 && e.regular.length > 0)
      .map((e) => mean(e.promo) / mean(e.regular))
      .sort((a, b) => a - b);
    expect(lifts.length).toBeGreaterThan(10);
    // 10-30 % off at elasticities of -1 to -3.2: a typical promoted SKU sells 20-100 % more.
    expect(lifts[Math.floor(lifts.length / 2)]).toBeGreaterThan(1.15);
  });

  it('records injected stock-outs that show in the events: sales of the SKU stop while demand exists', () => {
    const injected = history.stockouts.filter((s) => s.injected && s.end !== null);
    const causes = new Set(injected.map((s) => s.cause));
    expect(causes).toEqual(new Set(['phantom_inventory', 'missed_replenishment']));
    let withLostDemand = 0;
    for (const stockout of injected) {
      const start = Date.parse(stockout.start);
      const end = Date.parse(stockout.end as string);
      const salesInside = history.events.filter(
        (e) =>
          e.type === 'sale' &&
          e.store_id === stockout.store_id &&
          Date.parse(e.occurred_at) > start &&
          Date.parse(e.occurred_at) < end &&
          e.lines.some((l) => l.sku === stockout.sku),
      );
      expect(salesInside).toEqual([]);
      if (stockout.lost_units > 0) withLostDemand++;
    }
    // Demand keeps coming while the shelf is empty: most injected intervals lose sales.
    expect(withLostDemand / injected.length).toBeGreaterThan(0.6);
    // Phantom inventory: the system still believes there is stock when the shelf goes empty.
    const phantom = injected.find((s) => s.cause === 'phantom_inventory' && s.lost_units > 0);
    expect(phantom).toBeDefined();
  });

  it('writes the Parquet dataset documented in the README', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-history-'));
    dirs.push(dir);
    const rows = writeHistory(dir, history, { seed: scenario.seed });
    const read = (file: string) => tableFromIPC(readParquet(readFileSync(join(dir, file))).intoIPCStream());
    const events = read(historyFiles.events);
    expect(events.numRows).toBe(rows.events);
    expect(events.schema.fields.map((f) => f.name)).toEqual([
      'event_id',
      'type',
      'store_id',
      'terminal_id',
      'terminal_seq',
      'occurred_at',
      'sku',
      'payload',
    ]);
    const first = history.events[0];
    expect(JSON.parse(events.get(0)?.payload as string)).toEqual(first);
    const stockouts = read(historyFiles.stockouts);
    expect(stockouts.numRows).toBe(history.stockouts.length);
    expect(stockouts.schema.fields.map((f) => f.name)).toEqual([
      'store_id',
      'sku',
      'start',
      'end',
      'cause',
      'injected',
      'lost_units',
    ]);
    expect(read(historyFiles.catalog).schema.fields.map((f) => f.name)).toEqual([
      'sku',
      'name',
      'category',
      'price',
      'pack_size',
      'lead_time_days',
      'supplier_id',
      'elasticity',
    ]);
    expect(read(historyFiles.daily).numRows).toBe(scenario.stores * scenario.skus * DAYS);
  });
});
