import { heartbeat } from '@tillgate/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent } from './pos-events.ts';

// The agent end to end on the embedded broker: a terminal's sales are acknowledged, stored once,
// forwarded to the real Kafka in order; terminals are held to their own topics.
describe('edge agent intake (embedded broker)', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;

  beforeAll(async () => {
    bed = await edgeTestBed('intake');
    // The bundled default model, as a fresh install runs it.
    agent = await startAgent(bed.config({ model: {} }));
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  it('acknowledges, stores once and forwards in order, keyed by store', async () => {
    const events = Array.from({ length: 20 }, (_, index) => saleEvent(bed.storeId, 't1', index + 1));
    await Promise.all(events.map((event) => publishEvent(terminal, event)));
    await publishEvent(terminal, saleEvent(bed.storeId, 't1', 4));
    const records = await bed.consume('sales-transactions', 20);
    expect(records.map((record) => JSON.parse(record.value).event_id)).toEqual(events.map((event) => event.event_id));
    expect(new Set(records.map((record) => record.key))).toEqual(new Set([bed.storeId]));
    expect(JSON.parse(records[0]?.value ?? '{}').received_at).toMatch(/Z$/);
    const status = await eventually(() => {
      const current = agent.status();
      expect(current.backlog.events).toBe(0);
      return current;
    });
    expect(status.intake).toMatchObject({ stored: 20, duplicates: 1 });
    expect(status.last_forward_at).not.toBeNull();
  });

  it('refuses a wrong password and a publish to another terminal topic', async () => {
    await expect(connectTerminal(agent.mqttPort ?? 0, 't2', 'wrong-password')).rejects.toThrow();
    const other = await connectTerminal(agent.mqttPort ?? 0, 't2');
    const closed = new Promise<void>((resolve) => other.once('close', () => resolve()));
    other.publish(`tillgate/${bed.storeId}/pos/t1/events`, JSON.stringify(saleEvent(bed.storeId, 't1', 99)), {
      qos: 1,
    });
    await closed;
    other.end(true);
    expect(agent.status().intake.stored).toBe(20);
  });

  it('sends heartbeats that keep the shared contract', async () => {
    const [record] = await bed.consume('edge-heartbeats', 1);
    const beat = heartbeat.parse(JSON.parse(record?.value ?? '{}'));
    expect(beat).toMatchObject({ store_id: bed.storeId, model_name: expect.any(String) });
    expect(record?.key).toBe(bed.storeId);
  });

  it('serves /status and /health on loopback', async () => {
    const response = await fetch(`http://127.0.0.1:${agent.statusPort}/status`);
    const body = await response.json();
    expect(body).toMatchObject({ store_id: bed.storeId, health: 'ok', model: { name: 'stockout-risk' } });
    expect((await fetch(`http://127.0.0.1:${agent.statusPort}/health`)).status).toBe(200);
  });
});
