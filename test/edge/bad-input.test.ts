import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';

// Must-show (c): bad input of many kinds, through a real MQTT client into the embedded broker. Each
// is acknowledged (the terminal must not re-send it forever), answered on the terminal's replies
// topic with the field and reason, recorded as a reject, and changes nothing else.

type Json = Record<string, unknown>;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const future = () => new Date(Date.now() + 24 * 3_600_000).toISOString();

describe('edge agent rejects bad input', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;
  const replies: Json[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('badinput');
    const catalogFile = join(bed.dataDir, 'catalog.txt');
    writeFileSync(catalogFile, '# store catalog\nMILK-1L\nBREAD-WHT\n');
    agent = await startAgent(
      bed.config({
        intake: { lingerMs: 1, maxBatch: 1000, maxPayloadBytes: 65_536, futureToleranceMs: 300_000, catalogFile },
      }),
    );
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    terminal.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString('utf8')) as Json));
    await terminal.subscribeAsync(`tillgate/${bed.storeId}/pos/t1/replies`, { qos: 1 });
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  const sale = (patch: Json = {}): Json => ({ ...(saleEvent(bed.storeId, 't1', 1_000) as unknown as Json), ...patch });
  const line = (patch: Json): Json => sale({ lines: [{ sku: 'MILK-1L', quantity: 1, unit_price: 1.19, ...patch }] });
  const cases: [name: string, payload: () => string | Buffer, field: string | RegExp][] = [
    ['not JSON', () => '{"schema": 1, ', '(payload)'],
    ['invalid UTF-8 bytes', () => Buffer.from([0xff, 0xfe, 0x00, 0x7b]), '(payload)'],
    ['empty payload', () => '', '(payload)'],
    ['a JSON array', () => '[1, 2]', '(payload)'],
    ['a JSON number', () => '42', '(payload)'],
    ['oversized payload', () => JSON.stringify(sale({ customer_ref: 'x'.repeat(70_000) })), '(payload)'],
    ['missing event_id', () => JSON.stringify({ ...sale(), event_id: undefined }), 'event_id'],
    ['event_id with spaces', () => JSON.stringify(sale({ event_id: 'a b c' })), 'event_id'],
    ['schema version 2', () => JSON.stringify(sale({ schema: 2 })), 'schema'],
    ['unknown event type', () => JSON.stringify(sale({ type: 'teleport' })), 'type'],
    ['unknown field', () => JSON.stringify(sale({ discount_code: 'X' })), 'discount_code'],
    [
      'received_at sent by the terminal',
      () => JSON.stringify(sale({ received_at: new Date().toISOString() })),
      'received_at',
    ],
    ['negative terminal_seq', () => JSON.stringify(sale({ terminal_seq: -1 })), 'terminal_seq'],
    ['occurred_at not a timestamp', () => JSON.stringify(sale({ occurred_at: 'yesterday' })), 'occurred_at'],
    ['occurred_at a day in the future', () => JSON.stringify(sale({ occurred_at: future() })), 'occurred_at'],
    // Regression (issue 15 item 3): no lower bound; both were stored and moved sku_state.
    ['occurred_at in 1970', () => JSON.stringify(sale({ occurred_at: '1970-01-01T00:00:00.000Z' })), 'occurred_at'],
    ['occurred_at 8 days ago', () => JSON.stringify(sale({ occurred_at: daysAgo(8) })), 'occurred_at'],
    ['bad currency', () => JSON.stringify(sale({ currency: 'euro' })), 'currency'],
    ['no lines', () => JSON.stringify(sale({ lines: [] })), 'lines'],
    ['negative quantity', () => JSON.stringify(line({ quantity: -2 })), 'lines.0.quantity'],
    ['zero quantity', () => JSON.stringify(line({ quantity: 0 })), 'lines.0.quantity'],
    ['absurd quantity', () => JSON.stringify(line({ quantity: 100_000 })), 'lines.0.quantity'],
    ['fractional quantity', () => JSON.stringify(line({ quantity: 1.5 })), 'lines.0.quantity'],
    ['quantity as a string', () => JSON.stringify(line({ quantity: '3' })), 'lines.0.quantity'],
    ['negative price', () => JSON.stringify(line({ unit_price: -1 })), 'lines.0.unit_price'],
    ['malformed SKU', () => JSON.stringify(line({ sku: 'milk 1l' })), 'lines.0.sku'],
    ['SKU not in the catalog', () => JSON.stringify(line({ sku: 'CAVIAR-1KG' })), 'sku'],
    ['another store', () => JSON.stringify(sale({ store_id: 'store-elsewhere' })), 'store_id'],
    ['another terminal id', () => JSON.stringify(sale({ terminal_id: 't2' })), 'terminal_id'],
    [
      'zero inventory adjustment',
      () =>
        JSON.stringify({
          ...(shelfCountEvent(bed.storeId, 't1', 1_001, 'MILK-1L', 5) as unknown as Json),
          type: 'inventory_adjustment',
          counted_quantity: undefined,
          quantity_delta: 0,
          reason: 'damage',
        }),
      'quantity_delta',
    ],
    [
      'negative shelf count',
      () => JSON.stringify(shelfCountEvent(bed.storeId, 't1', 1_002, 'MILK-1L', -4)),
      'counted_quantity',
    ],
  ];

  it(`rejects ${cases.length} kinds of bad input with their field and reason, and changes nothing else`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    await publishEvent(terminal, shelfCountEvent(bed.storeId, 't1', 1, 'MILK-1L', 12));
    await eventually(() => expect(agent.status().backlog.events).toBe(0));
    const before = agent.status();

    for (const [name, payload, field] of cases) {
      const count = replies.length;
      await terminal.publishAsync(`tillgate/${bed.storeId}/pos/t1/events`, payload(), { qos: 1 });
      const reply = await eventually(() => {
        expect(replies.length, `a reply to "${name}"`).toBe(count + 1);
        return replies[count] as Json;
      }, 5_000);
      expect(reply.field, name).toMatch(field instanceof RegExp ? field : new RegExp(`^${escapeRegExp(field)}$`));
      expect(reply.reason, name).toEqual(expect.any(String));
      expect(reply.code, name).toBe('TG_SHARED_CONTRACT_VIOLATION');
    }

    const after = agent.status();
    expect(after.rejects_total).toBe(before.rejects_total + cases.length);
    expect(after.intake.stored).toBe(before.intake.stored);
    expect(after.backlog.events).toBe(0);
    expect(after.recent_alerts).toEqual(before.recent_alerts);
    // Still running and still taking good events; on-hand moved only by those.
    await publishEvent(terminal, saleEvent(bed.storeId, 't1', 2, [{ sku: 'MILK-1L', quantity: 2 }]));
    const records = await bed.consume('sales-transactions', 1);
    expect(records.map((record) => JSON.parse(record.value).event_id)).toEqual([`${bed.storeId}-t1-2`]);
    const inventory = await bed.consume('inventory-updates', 1);
    expect(inventory).toHaveLength(1);
  });
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
