import { type StoreEvent, topicForEventType } from '@tillgate/shared';
import { createKafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import type { ClickHouseClient } from '../../hub/src/index.ts';
import { TopicNames } from '../../hub/src/index.ts';
import type { DashboardStack } from './dashboard-stack.ts';

// Two weeks of trading for the dashboard's pages to show, sent to Kafka as the agents would (topic by
// event type, key = store), plus what the daily batch-prediction DAG writes for store-001
// (ml_forecast_results, reorder_predictions), inserted as the DAG does. Deterministic (fixed seed).

const DAY = 86_400_000;
const days = 15;
const skus = Array.from({ length: 20 }, (_, index) => `SKU-${String(index + 1).padStart(3, '0')}`);
const price = (sku: string) => 0.99 + (Number(sku.slice(4)) % 7) * 1.5;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export interface SeededHistory {
  /** Units sold per store-SKU-day ('store/sku/yyyy-mm-dd'), for the forecast rows' actuals. */
  units: Map<string, number>;
  events: number;
}

function history(stores: readonly string[], now: number): { events: StoreEvent[]; units: Map<string, number> } {
  const next = random(42);
  const today = Math.floor(now / DAY) * DAY;
  const events: StoreEvent[] = [];
  const units = new Map<string, number>();
  for (const store of stores) {
    let seq = 0;
    const envelope = (at: number) => {
      seq += 1;
      const iso = new Date(at).toISOString();
      return {
        schema: 1 as const,
        event_id: `hist-${store}-${seq}`,
        store_id: store,
        terminal_id: 'hist-01',
        terminal_seq: seq,
        occurred_at: iso,
        received_at: iso,
      };
    };
    // A delivery of every SKU each week, as a store's standing order would bring.
    for (let week = 0; week * 7 < days; week++) {
      events.push({
        ...envelope(today - (days - week * 7) * DAY + 6 * 3_600_000),
        type: 'supplier_delivery',
        delivery_id: `hist-${store}-week-${week}`,
        supplier_id: 'sup-1',
        lines: skus.map((sku) => ({ sku, quantity: 120 })),
      });
    }
    for (let day = days - 1; day >= 0; day--) {
      const midnight = today - day * DAY;
      // Trading hours 08:00-20:00; today only up to now.
      for (let basket = 0; basket < 60; basket++) {
        const at = midnight + 8 * 3_600_000 + Math.floor(next() * 12 * 3_600_000);
        if (at >= now) continue;
        const sku = skus[Math.floor(next() ** 1.3 * skus.length)] as string;
        const quantity = 1 + Math.floor(next() * 3);
        const key = `${store}/${sku}/${new Date(midnight).toISOString().slice(0, 10)}`;
        units.set(key, (units.get(key) ?? 0) + quantity);
        events.push({
          ...envelope(at),
          type: 'sale',
          currency: 'EUR',
          lines: [{ sku, quantity, unit_price: price(sku), promo: false }],
        });
      }
    }
    // Counted empty this morning: a stock-out today on the KPI card.
    events.push({
      ...envelope(Math.min(now - 60_000, today + 7 * 3_600_000)),
      type: 'shelf_count',
      sku: 'SKU-020',
      counted_quantity: 0,
    });
  }
  return { events, units };
}

export async function seedHistory(
  stack: DashboardStack,
  clickhouse: ClickHouseClient,
  now = Date.now(),
): Promise<SeededHistory> {
  const { events, units } = history([...stack.agents.keys()], now);
  const names = new TopicNames(stack.config.topicPrefix);
  const producer = new KafkaProducer(createKafkaClient(stack.config.kafka));
  await producer.connect();
  try {
    const records = events.map((event) => ({
      topic: names.full(topicForEventType[event.type]),
      key: event.store_id,
      value: JSON.stringify(event),
    }));
    for (let start = 0; start < records.length; start += 500) await producer.send(records.slice(start, start + 500));
  } finally {
    await producer.disconnect();
  }
  await insertPredictions(clickhouse, units, now);
  return { units, events: events.length };
}

/** Forecasts for store-001 as the DAG writes them: yesterday's runs with actuals, today's 7 days ahead. */
async function insertPredictions(clickhouse: ClickHouseClient, units: Map<string, number>, now: number): Promise<void> {
  const next = random(7);
  const today = Math.floor(now / DAY) * DAY;
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const created = new Date(now).toISOString().replace('T', ' ').replace('Z', '');
  const rows: Record<string, unknown>[] = [];
  for (const sku of skus) {
    for (let back = 8; back >= 1; back--) {
      const target = today - back * DAY;
      const actual = units.get(`store-001/${sku}/${date(target)}`) ?? 0;
      rows.push({
        store_id: 'store-001',
        sku,
        forecast_date: date(target - DAY),
        target_date: date(target),
        model_name: 'demand-gbt',
        model_version: '1.0.0',
        run_id: `run-${date(target - DAY)}`,
        predicted_units: Math.max(0, actual + (next() - 0.5) * 3),
        actual_units: actual,
        created_at: created,
      });
    }
    const mean =
      [...Array(7).keys()].reduce(
        (sum, back) => sum + (units.get(`store-001/${sku}/${date(today - (back + 1) * DAY)}`) ?? 0),
        0,
      ) / 7;
    for (let ahead = 0; ahead < 7; ahead++) {
      rows.push({
        store_id: 'store-001',
        sku,
        forecast_date: date(today),
        target_date: date(today + ahead * DAY),
        model_name: 'demand-gbt',
        model_version: '1.0.0',
        run_id: `run-${date(today)}`,
        predicted_units: mean * (0.9 + next() * 0.2),
        actual_units: null,
        created_at: created,
      });
    }
  }
  await clickhouse.insert({ table: 'ml_forecast_results', values: rows, format: 'JSONEachRow' });
  await clickhouse.insert({
    table: 'reorder_predictions',
    values: ['SKU-001', 'SKU-002', 'SKU-020'].map((sku, index) => ({
      store_id: 'store-001',
      sku,
      prediction_date: date(today),
      model_name: 'reorder-rules',
      model_version: '1.0.0',
      run_id: `run-${date(today)}`,
      forecast_units_7d: 40 - index * 8,
      on_hand: 6 - index * 3,
      lead_time_days: 2,
      safety_stock: 8,
      reorder_point: 20,
      reorder_quantity: 48 - index * 12,
      created_at: created,
    })),
    format: 'JSONEachRow',
  });
}
