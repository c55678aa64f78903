import type { Alert, PosEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { WanProxy } from '../../simulators/src/wan-proxy.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';

// Must-show (b): the store's WAN link to Kafka is cut (a real TCP proxy on loopback between agent and
// broker, closed with connection resets — the shared broker other tests use stays up). Events keep
// coming: the agent acknowledges and buffers them, a stock-out alert still fires on the store's MQTT,
// and once the link is back the backlog drains to Kafka in outbox order.
const sku = 'SODA-6PK';

describe('edge agent while Kafka is unreachable', () => {
  let bed: EdgeTestBed;
  let proxy: WanProxy;
  let agent: RunningAgent;
  let terminal: MqttClient;
  let display: MqttClient;
  const alerts: Alert[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('outage');
    const [host, port] = (localStack.kafka.brokers[0] as string).split(':');
    proxy = await WanProxy.start({
      name: bed.storeId,
      listenPort: 0,
      upstreamHost: host ?? '',
      upstreamPort: Number(port),
    });
    const base = bed.config();
    agent = await startAgent({
      ...base,
      kafka: { ...base.kafka, tunnels: { [localStack.kafka.brokers[0] as string]: `127.0.0.1:${proxy.port}` } },
    });
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    display = await connectTerminal(agent.mqttPort ?? 0, 'display');
    display.on('message', (_topic, payload) => alerts.push(JSON.parse(payload.toString('utf8')) as Alert));
    await display.subscribeAsync(`tillgate/${bed.storeId}/alerts/#`, { qos: 1 });
  });
  afterAll(async () => {
    await Promise.all([terminal?.endAsync(), display?.endAsync()]);
    await agent?.stop();
    await proxy?.close();
    await bed?.cleanup();
  });

  it('buffers, still alerts, and drains in order after the link returns', { timeout: 120_000 }, async () => {
    const sent: PosEvent[] = [shelfCountEvent(bed.storeId, 't1', 1, sku, 60)];
    await publishEvent(terminal, sent[0] as PosEvent);
    await eventually(() => expect(agent.status().last_forward_at).not.toBeNull());

    proxy.cut('reset');
    // 2,000 baskets while the hub is unreachable; every 100th sells the SKU down to stock-out.
    for (let seq = 2; seq <= 2_001; seq += 100) {
      const burst = Array.from({ length: 100 }, (_, index) =>
        saleEvent(bed.storeId, 't1', seq + index, [
          { sku: index === 0 ? sku : 'MILK-1L', quantity: index === 0 ? 3 : 1 },
        ]),
      );
      await Promise.all(burst.map((event) => publishEvent(terminal, event)));
      sent.push(...burst);
    }
    await eventually(() =>
      expect(alerts.filter((alert) => alert.sku === sku && alert.state === 'raised')).toHaveLength(1),
    );
    const during = agent.status();
    expect(during.backlog.events).toBeGreaterThanOrEqual(2_000);
    expect(during.intake.stored).toBe(sent.length);
    // Let the forwarder fail and back off for a while before the link returns.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(agent.status().backlog.events).toBe(during.backlog.events);

    proxy.restore();
    await eventually(() => expect(agent.status().backlog.events).toBe(0), 60_000);
    const sales = sent.filter((event) => event.type === 'sale').map((event) => event.event_id);
    const eventIdOf = (record: { value: string }) => JSON.parse(record.value).event_id as string;
    // Until every sale is seen: a re-sent batch after the cut can add duplicates ahead of the last ones.
    const records = await bed.consume(
      'sales-transactions',
      (read) => new Set(read.map(eventIdOf)).size >= sales.length,
    );
    const firstSeen = [...new Set(records.map(eventIdOf))];
    expect(firstSeen).toEqual(sales);
    const forwardedAlerts = await bed.consume('restock-alerts', 1);
    expect(forwardedAlerts.map((record) => JSON.parse(record.value).sku)).toContain(sku);
    console.info(
      `[kafka-outage] buffered ${during.backlog.events} during the cut; ${records.length - firstSeen.length} transport duplicates after it`,
    );
  });
});
