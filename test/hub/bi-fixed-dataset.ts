import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@tillgate/hub';

// A small chain whose Power BI measures are worked out by hand in bi-star-schema.test.ts. Written
// straight into the raw tables (the materialized views fire as they do behind the consumer; the
// consumer itself is covered by aggregates.test.ts). Report date D8 = Monday 2026-03-09, refreshed
// at 12:00 UTC. s1 (north) and s2 (south) are registered; s9 sells an uncatalogued SKU Z and is in
// no registry, so both must come back as unknown members. Deliveries land at midnight on D1.

export const reportNow = new Date('2026-03-09T12:00:00.000Z');

let seq = 0;
const raw = (storeId: string, at: string) => ({
  store_id: storeId,
  terminal_id: 'pos-1',
  terminal_seq: ++seq,
  occurred_at: at,
  received_at: at,
  kafka_partition: 0,
  kafka_offset: seq,
  ingested_at: at,
});

const sale = (id: string, storeId: string, at: string, lines: [string, number, number][]) =>
  lines.map(([sku, quantity, unitPrice], lineNo) => ({
    ...raw(storeId, at),
    event_id: id,
    line_no: lineNo,
    currency: 'EUR',
    customer_ref: '',
    line_count: lines.length,
    sku,
    quantity,
    unit_price: unitPrice,
    promo: false,
  }));

const delivery = (id: string, storeId: string, lines: [string, number][]) =>
  lines.map(([sku, quantity], lineNo) => ({
    ...raw(storeId, '2026-03-02 00:00:00.000'),
    event_id: id,
    line_no: lineNo,
    delivery_id: id,
    supplier_id: 'n/a',
    sku,
    quantity,
  }));

const tables: Record<string, Record<string, unknown>[]> = {
  delivery_lines: [
    ...delivery('d1', 's1', [
      ['A', 10],
      ['B', 10],
      ['C', 2],
    ]),
    ...delivery('d2', 's2', [
      ['A', 5],
      ['C', 1],
    ]),
  ],
  sales_lines: [
    ...sale('e1', 's1', '2026-03-02 09:00:00.000', [
      ['A', 2, 2.5],
      ['B', 3, 1],
    ]),
    ...sale('e2', 's1', '2026-03-02 10:00:00.000', [['C', 1, 10]]),
    ...sale('e3', 's2', '2026-03-02 11:00:00.000', [['A', 1, 2.5]]),
    ...sale('e4', 's1', '2026-03-03 12:00:00.000', [['A', 4, 2.5]]),
    ...sale('e5', 's9', '2026-03-03 12:00:00.000', [['Z', 1, 4]]),
    ...sale('e6', 's1', '2026-03-09 08:00:00.000', [['B', 5, 1]]),
    ...sale('e7', 's2', '2026-03-09 09:00:00.000', [['C', 2, 10]]),
  ],
  return_lines: [
    {
      ...raw('s1', '2026-03-03 13:00:00.000'),
      event_id: 'r1',
      line_no: 0,
      currency: 'EUR',
      original_event_id: 'e4',
      sku: 'A',
      quantity: 1,
      unit_price: 2.5,
      reason: 'unwanted',
      restock: true,
    },
  ],
  inventory_adjustments: [
    { ...raw('s1', '2026-03-03 14:00:00.000'), event_id: 'a1', sku: 'B', quantity_delta: -2, reason: 'damage' },
  ],
  shelf_counts: [{ ...raw('s1', '2026-03-03 20:00:00.000'), event_id: 'c1', sku: 'A', counted_quantity: 3 }],
  ml_forecast_results: [
    // Forecasts made on D1 (the A/D2 row re-run later with 5 instead of 3) and on D8 for D9 (2026-03-10).
    forecast('s1', 'A', '2026-03-02', '2026-03-03', 3, '2026-03-02 10:00:00.000'),
    forecast('s1', 'A', '2026-03-02', '2026-03-03', 5, '2026-03-02 11:00:00.000'),
    forecast('s1', 'A', '2026-03-02', '2026-03-04', 1, '2026-03-02 10:00:00.000'),
    forecast('s1', 'B', '2026-03-02', '2026-03-03', 2, '2026-03-02 10:00:00.000'),
    forecast('s1', 'A', '2026-03-09', '2026-03-10', 4, '2026-03-09 10:00:00.000'),
  ],
  reorder_predictions: [
    reorder('s1', 'B', 12, '2026-03-09 10:00:00.000'),
    reorder('s1', 'B', 24, '2026-03-09 10:30:00.000'),
  ],
  alerts: [
    alertRow('al1', 's1', 'A', 'raised', 0.7, '2026-03-03 12:30:00.000'),
    alertRow('al2', 's1', 'A', 'cleared', 0.2, '2026-03-03 20:30:00.000'),
    alertRow('al3', 's1', 'B', 'raised', 0.9, '2026-03-09 08:05:00.000'),
  ],
};

function forecast(storeId: string, sku: string, made: string, target: string, units: number, createdAt: string) {
  return {
    store_id: storeId,
    sku,
    forecast_date: made,
    target_date: target,
    model_name: 'demand',
    model_version: '1',
    run_id: createdAt,
    predicted_units: units,
    actual_units: null,
    created_at: createdAt,
  };
}

function reorder(storeId: string, sku: string, quantity: number, createdAt: string) {
  return {
    store_id: storeId,
    sku,
    prediction_date: '2026-03-09',
    model_name: 'reorder',
    model_version: '1',
    run_id: createdAt,
    forecast_units_7d: 6,
    on_hand: 0,
    lead_time_days: 5,
    safety_stock: 2,
    reorder_point: 6.5,
    reorder_quantity: quantity,
    created_at: createdAt,
  };
}

function alertRow(id: string, storeId: string, sku: string, state: string, risk: number, at: string) {
  return {
    alert_id: id,
    store_id: storeId,
    sku,
    state,
    kind: 'will_run_out',
    why: state === 'raised' ? 'sells faster than stock lasts' : '',
    risk,
    threshold: 0.5,
    on_hand: 0,
    model_name: 'stockout-risk',
    model_version: '1',
    trigger_event_id: 'x',
    at,
    kafka_partition: 0,
    kafka_offset: 0,
    ingested_at: at,
  };
}

export async function loadRawTables(client: ClickHouseClient): Promise<void> {
  for (const [table, values] of Object.entries(tables)) {
    await client.insert({ table, values, format: 'JSONEachRow' });
  }
}

/** The registry / catalog / holidays / grants files an operator would import. */
export function writeDimensionFiles(dir: string): {
  stores: string;
  catalog: string;
  holidays: string;
  access: string;
} {
  const jsonl = (name: string, records: object[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    return file;
  };
  const store = (store_id: string, region: string, format: string, daily_sales_target: number) => ({
    store_id,
    store_name: `Store ${store_id}`,
    region,
    format,
    size_sqm: 1200,
    time_zone: 'Europe/Berlin',
    opens_at: '07:00',
    closes_at: '21:00',
    daily_sales_target,
  });
  const product = (
    sku: string,
    category: string,
    department: string,
    price: number,
    supplier: string,
    lead: number,
  ) => ({
    sku,
    product_name: `Product ${sku}`,
    category,
    department,
    price,
    supplier_id: supplier,
    lead_time_days: lead,
    pack_size: 6,
  });
  return {
    stores: jsonl('stores.jsonl', [store('s1', 'north', 'supermarket', 100), store('s2', 'south', 'convenience', 50)]),
    catalog: jsonl('catalog.jsonl', [
      product('A', 'dairy', 'fresh', 2.5, 'SUP-1', 6),
      product('B', 'snacks', 'grocery', 1, 'SUP-2', 5),
      product('C', 'household', 'non-food', 10, 'SUP-2', 7),
      product('D', 'pet', 'non-food', 7, 'SUP-3', 4),
    ]),
    holidays: jsonl('holidays.jsonl', [{ date: '2026-03-03', holiday_name: 'Test Day' }]),
    access: jsonl('access.jsonl', [
      { upn: 'mgr.s1@chain.example', access_level: 'store', store_id: 's1' },
      { upn: 'rm.north@chain.example', access_level: 'region', region: 'north' },
      { upn: 'exec@chain.example', access_level: 'all' },
    ]),
  };
}
