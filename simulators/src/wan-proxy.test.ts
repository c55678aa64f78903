import { randomUUID } from 'node:crypto';
import { createKafkaClient, ensureTopics, KafkaProducer } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WanProxy } from './wan-proxy.ts';

// Against the real local Kafka (deploy/local/kafka.sh start). The point under test: with the broker
// address tunnelled through the proxy, EVERY connection of the client crosses it, including the ones
// to the address the broker advertises in metadata; so cutting the proxy really cuts the store off.
const broker = localStack.kafka.brokers[0] as string;
const [brokerHost, brokerPort] = broker.split(':') as [string, string];
const topic = `t-wan-${randomUUID().slice(0, 8)}`;
let proxy: WanProxy;
let producer: KafkaProducer;

function client(id: string) {
  return createKafkaClient({
    brokers: [broker],
    clientId: `wan-test-${id}`,
    tunnels: { [broker]: `127.0.0.1:${proxy.port}` },
    retries: 1,
    initialRetryMs: 50,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 2_000,
  });
}

const send = (value: string) => producer.send([{ topic, key: 'store-1', value }]);

/** After a failed send the producer must be replaced (shared/src/kafka/producer.ts), as the edge does. */
async function sendWithFreshProducers(value: string, attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    await producer.disconnect().catch(() => undefined);
    producer = new KafkaProducer(client(`producer-${attempt}`));
    const sent = await producer
      .connect()
      .then(
        () => send(value).then(() => true),
        () => false,
      )
      .catch(() => false);
    if (sent) return true;
  }
  return false;
}

describe('WanProxy in front of Kafka', () => {
  beforeAll(async () => {
    proxy = await WanProxy.start({
      name: 'store-1',
      listenPort: 0,
      upstreamHost: brokerHost,
      upstreamPort: Number(brokerPort),
    });
    await ensureTopics(createKafkaClient({ brokers: [broker], clientId: 'wan-test-admin' }), [topic], {
      partitions: 1,
      replicationFactor: 1,
    });
    producer = new KafkaProducer(client('producer'));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await proxy?.close();
  });

  it('carries all of the client traffic, so a cut stops sends and a restore resumes them', async () => {
    await send('before');
    const before = proxy.status();
    expect(before.bytesUp).toBeGreaterThan(0);
    expect(before.connections).toBeGreaterThan(0);

    proxy.cut('reset');
    await expect(send('during')).rejects.toThrow();
    expect(proxy.status()).toMatchObject({ state: 'reset', connections: 0, cuts: 1 });

    proxy.restore();
    expect(await sendWithFreshProducers('after', 5)).toBe(true);
    expect(proxy.status().bytesUp).toBeGreaterThan(before.bytesUp);
  });

  it('black-holes: connections stay open but requests time out until restored', async () => {
    proxy.cut('blackhole');
    const started = Date.now();
    await expect(send('silent')).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    proxy.restore();
    expect(await sendWithFreshProducers('back', 5)).toBe(true);
  });
});
