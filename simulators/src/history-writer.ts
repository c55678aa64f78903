import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PosEvent } from '@tillgate/shared';
import type { CatalogItem } from './catalog.ts';
import type { DailyTruth, StockoutTruth } from './ground-truth.ts';
import type { History } from './history.ts';
import { type ColumnSpec, column, writeParquetFile } from './parquet-file.ts';

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

const eventColumns: ColumnSpec<PosEvent> = {
  event_id: { type: column.text, value: (e) => e.event_id },
  type: { type: column.text, value: (e) => e.type },
  store_id: { type: column.text, value: (e) => e.store_id },
  terminal_id: { type: column.text, value: (e) => e.terminal_id },
  terminal_seq: { type: column.bigint, value: (e) => e.terminal_seq },
  occurred_at: { type: column.timestamp, value: (e) => ms(e.occurred_at) },
  sku: { type: column.text, value: (e) => ('sku' in e ? e.sku : null) },
  payload: { type: column.text, value: (e) => JSON.stringify(e) },
};

interface Line {
  event: PosEvent;
  lineNo: number;
  sku: string;
  quantity: number;
  unitPrice: number | null;
  promo: boolean | null;
  restock: boolean | null;
}

const lineColumns: ColumnSpec<Line> = {
  event_id: { type: column.text, value: (l) => l.event.event_id },
  type: { type: column.text, value: (l) => l.event.type },
  store_id: { type: column.text, value: (l) => l.event.store_id },
  occurred_at: { type: column.timestamp, value: (l) => ms(l.event.occurred_at) },
  line_no: { type: column.int, value: (l) => l.lineNo },
  sku: { type: column.text, value: (l) => l.sku },
  quantity: { type: column.int, value: (l) => l.quantity },
  unit_price: { type: column.float, value: (l) => l.unitPrice },
  promo: { type: column.bool, value: (l) => l.promo },
  restock: { type: column.bool, value: (l) => l.restock },
};

function linesOf(events: readonly PosEvent[]): Line[] {
  const lines: Line[] = [];
  for (const event of events) {
    if (event.type !== 'sale' && event.type !== 'return' && event.type !== 'supplier_delivery') continue;
    const eventLines: readonly {
      sku: string;
      quantity: number;
      unit_price?: number;
      promo?: boolean;
      restock?: boolean;
    }[] = event.lines;
    for (const [lineNo, line] of eventLines.entries()) {
      lines.push({
        event,
        lineNo,
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: line.unit_price ?? null,
        promo: line.promo ?? null,
        restock: line.restock ?? null,
      });
    }
  }
  return lines;
}

const stockoutColumns: ColumnSpec<StockoutTruth> = {
  store_id: { type: column.text, value: (s) => s.store_id },
  sku: { type: column.text, value: (s) => s.sku },
  start: { type: column.timestamp, value: (s) => ms(s.start) },
  end: { type: column.timestamp, value: (s) => ms(s.end) },
  cause: { type: column.text, value: (s) => s.cause },
  injected: { type: column.bool, value: (s) => s.injected },
  lost_units: { type: column.int, value: (s) => s.lost_units },
};

const catalogColumns: ColumnSpec<CatalogItem> = {
  sku: { type: column.text, value: (c) => c.sku },
  name: { type: column.text, value: (c) => c.name },
  category: { type: column.text, value: (c) => c.category },
  price: { type: column.float, value: (c) => c.price },
  pack_size: { type: column.int, value: (c) => c.packSize },
  lead_time_days: { type: column.int, value: (c) => c.leadTimeDays },
  supplier_id: { type: column.text, value: (c) => c.supplierId },
  elasticity: { type: column.float, value: (c) => c.elasticity },
};

const dailyColumns: ColumnSpec<DailyTruth> = {
  store_id: { type: column.text, value: (d) => d.store_id },
  sku: { type: column.text, value: (d) => d.sku },
  day: { type: column.text, value: (d) => d.day },
  demand_units: { type: column.int, value: (d) => d.demand_units },
  sold_units: { type: column.int, value: (d) => d.sold_units },
  lost_units: { type: column.int, value: (d) => d.lost_units },
  shelf_on_hand: { type: column.int, value: (d) => d.shelf_on_hand },
  system_on_hand: { type: column.int, value: (d) => d.system_on_hand },
  on_order: { type: column.int, value: (d) => d.on_order },
  price: { type: column.float, value: (d) => d.price },
  promo: { type: column.bool, value: (d) => d.promo },
};

export const historyFiles = {
  events: 'events.parquet',
  eventLines: 'event_lines.parquet',
  stockouts: 'stockouts.parquet',
  catalog: 'catalog.parquet',
  daily: 'daily_truth.parquet',
  catalogJson: 'catalog.json',
  manifest: 'manifest.json',
} as const;

/** Writes the dataset described in simulators/README.md into `dir`; returns row counts per file. */
export function writeHistory(dir: string, history: History, manifest: Record<string, unknown>): Record<string, number> {
  mkdirSync(dir, { recursive: true });
  const lines = linesOf(history.events);
  writeParquetFile(join(dir, historyFiles.events), history.events, eventColumns);
  writeParquetFile(join(dir, historyFiles.eventLines), lines, lineColumns);
  writeParquetFile(join(dir, historyFiles.stockouts), history.stockouts, stockoutColumns);
  writeParquetFile(join(dir, historyFiles.catalog), history.catalog, catalogColumns);
  writeParquetFile(join(dir, historyFiles.daily), history.daily, dailyColumns);
  writeFileSync(join(dir, historyFiles.catalogJson), `${JSON.stringify(history.catalog, null, 1)}\n`);
  const rows = {
    events: history.events.length,
    event_lines: lines.length,
    stockouts: history.stockouts.length,
    catalog: history.catalog.length,
    daily_truth: history.daily.length,
  };
  writeFileSync(join(dir, historyFiles.manifest), `${JSON.stringify({ ...manifest, rows }, null, 2)}\n`);
  return rows;
}
