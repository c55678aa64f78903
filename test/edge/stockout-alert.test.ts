import type { Alert } from '@tillgate/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';

// Must-show (d): a scripted sequence drives one SKU to stock-out with a signed model loaded the
// production way (StockoutScorer, real onnxruntime; risk = sigmoid(2 - on_hand)) → exactly one alert, on the store's MQTT alert topic (retained), in the alerts
// table and on Kafka's restock-alerts; selling on at zero does not raise it again (hysteresis).
const sku = 'CHIPS-XL';

describe('stock-out alert from a scripted sequence', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;
  let display: MqttClient;
  const received: { alert: Alert; at: number; retain: boolean }[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('stockout');
    agent = await startAgent(bed.config());
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    display = await connectTerminal(agent.mqttPort ?? 0, 'display');
    display.on('message', (_topic, payload, packet) =>
      received.push({
        alert: JSON.parse(payload.toString('utf8')) as Alert,
        at: performance.now(),
        retain: packet.retain,
      }),
    );
    await display.subscribeAsync(`tillgate/${bed.storeId}/alerts/#`, { qos: 1 });
  });
  afterAll(async () => {
    await Promise.all([terminal?.endAsync(), display?.endAsync()]);
    await agent?.stop();
    await bed?.cleanup();
  });

  it('raises exactly one alert, within a second of the sale that caused it', async () => {
    await publishEvent(terminal, shelfCountEvent(bed.storeId, 't1', 1, sku, 40));
    const publishedAt = new Map<string, number>();
    // 4 units a basket: on-hand 36, 32, ... 0, then four more baskets selling into negative stock.
    for (let seq = 2; seq <= 15; seq++) {
      const event = saleEvent(bed.storeId, 't1', seq, [{ sku, quantity: 4 }]);
      publishedAt.set(event.event_id, performance.now());
      await publishEvent(terminal, event);
      await agent.alertsIdle();
    }
    await eventually(() => expect(received).toHaveLength(1));
    await eventually(() => expect(agent.status().backlog.events).toBe(0));

    const [{ alert, at } = received[0] as never] = received;
    expect(alert).toMatchObject({ store_id: bed.storeId, sku, state: 'raised', model_name: expect.any(String) });
    expect(alert.risk).toBeGreaterThanOrEqual(alert.threshold);
    // 4 units a basket from 40: on-hand 0 is the first level with risk >= 0.7 (0.88); 4 gives 0.12.
    expect(alert.on_hand).toBe(0);
    const latencyMs = at - (publishedAt.get(alert.trigger_event_id) ?? Number.NaN);
    expect(latencyMs).toBeLessThan(1_000);
    console.info(
      `[stockout-alert] alert at on_hand=${alert.on_hand}, risk ${alert.risk.toFixed(3)}, ${latencyMs.toFixed(1)} ms after the publish`,
    );

    expect(agent.status().recent_alerts).toEqual([alert]);
    const forwarded = await bed.consume('restock-alerts', 1);
    expect(forwarded.map((record) => JSON.parse(record.value))).toEqual([alert]);
    // A display that connects later still sees the current state: the alert is retained.
    const late = await connectTerminal(agent.mqttPort ?? 0, 'display');
    const retained = new Promise<boolean>((resolve) =>
      late.once('message', (_t, _p, packet) => resolve(packet.retain)),
    );
    await late.subscribeAsync(`tillgate/${bed.storeId}/alerts/${sku}`, { qos: 1 });
    expect(await retained).toBe(true);
    await late.endAsync();
  });
});
