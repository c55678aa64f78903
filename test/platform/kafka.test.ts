import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import {
  createConsumer,
  createKafkaClient,
  ensureTopics,
  type KafkaClient,
  type KafkaConsumer,
  KafkaError,
  KafkaProducer,
  kafkaErrorCodes,
  type OutgoingRecord,
} from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Talks to the real KRaft broker of deploy/local/kafka.sh through the shared Kafka seam: the same code
// path edge and hub use. Topic and group names are unique per test, and every topic is deleted after.
const START_COMMAND = 'deploy/local/kafka.sh start';
const [broker = ''] = localStack.kafka.brokers;
const settings = { brokers: localStack.kafka.brokers, clientId: 'tillgate-platform-test' };
const client: KafkaClient = createKafkaClient(settings);
const createdTopics: string[] = [];
const openProducers: KafkaProducer[] = [];
const openConsumers: KafkaConsumer[] = [];

const uniqueTopic = (name: string): string => {
  const topic = `tg-test-${name}-${randomUUID()}`;
  createdTopics.push(topic);
  return topic;
};

function portOpen(address: string): Promise<boolean> {
  const [host = '', port = ''] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 2_000 });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function openProducer(compression: 'gzip' | 'none' = 'gzip'): Promise<KafkaProducer> {
  const producer = new KafkaProducer(client, { compression });
  openProducers.push(producer);
  await producer.connect();
  return producer;
}

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: string;
}

/** Reads `count` records from the start of `topic` with a fresh group, or fails after 30 s. */
async function consume(topic: string, count: number): Promise<Received[]> {
  const consumer = createConsumer(client, { groupId: `tg-test-group-${randomUUID()}` });
  openConsumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const received: Received[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`received ${received.length} of ${count} records from ${topic} within 30 s`)),
      30_000,
    );
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          received.push({
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? '',
            value: message.value?.toString('utf8') ?? '',
            headers,
            timestamp: message.timestamp,
          });
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

/** Records in the topic per the broker's high watermarks: exact, no waiting for stragglers. */
async function recordCount(topic: string): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function partitionCounts(topics: string[]): Promise<Record<string, number>> {
  const admin = client.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(metadata.topics.map(({ name, partitions }) => [name, partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

async function failure(promise: Promise<unknown>): Promise<KafkaError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof KafkaError)) throw new Error(`expected a KafkaError, got ${String(error)}`);
  return error;
}

describe('Kafka (deploy/local/kafka.sh) through @tillgate/shared/kafka', () => {
  beforeAll(async () => {
    if (!(await portOpen(broker))) {
      throw new Error(`Kafka is not reachable at ${broker}; start it with ${START_COMMAND}`);
    }
  });

  afterAll(async () => {
    await Promise.allSettled(openConsumers.map((consumer) => consumer.disconnect()));
    await Promise.allSettled(openProducers.map((producer) => producer.disconnect()));
    const admin = client.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const leftovers = createdTopics.filter((topic) => existing.has(topic));
    if (leftovers.length > 0) await admin.deleteTopics({ topics: leftovers });
    await admin.disconnect();
  });

  it('ensureTopics creates missing topics and is idempotent, also when called concurrently', async () => {
    const first = uniqueTopic('ensure-a');
    const second = uniqueTopic('ensure-b');
    const layout = { partitions: 3, replicationFactor: 1 };

    await ensureTopics(client, [first], layout);
    await ensureTopics(client, [first], layout);
    await Promise.all([ensureTopics(client, [first, second], layout), ensureTopics(client, [second], layout)]);

    expect(await partitionCounts([first, second])).toEqual({ [first]: 3, [second]: 3 });
  });

  it('ensureTopics refuses an existing topic with another partition count instead of repartitioning', async () => {
    const topic = uniqueTopic('mismatch');
    await ensureTopics(client, [topic], { partitions: 2, replicationFactor: 1 });

    const error = await failure(ensureTopics(client, [topic], { partitions: 4, replicationFactor: 1 }));

    expect(error.code).toBe(kafkaErrorCodes.topicMismatch);
    expect(error.message).toContain(`topic ${topic} has 2 partitions but 4 are configured`);
    expect(await partitionCounts([topic])).toEqual({ [topic]: 2 });
  });

  it('ensureTopics reports a replication factor the cluster cannot meet as final', async () => {
    const topic = uniqueTopic('rf');
    const error = await failure(ensureTopics(client, [topic], { partitions: 1, replicationFactor: 3 }));
    expect(error.code).toBe(kafkaErrorCodes.topicSetupFailed);
    expect(error.canRetry).toBe(false);
  });

  it('round-trips keyed records: values, headers and timestamps intact, one key on one partition in order', async () => {
    const topic = uniqueTopic('round-trip');
    await ensureTopics(client, [topic], { partitions: 3, replicationFactor: 1 });
    const producer = await openProducer();
    const keys = ['store-1|SKU-1', 'store-1|SKU-2', 'store-2|SKU-1', 'store-3|SKU-9'];
    const records: OutgoingRecord[] = Array.from({ length: 40 }, (_, index) => ({
      topic,
      key: keys[index % keys.length] ?? '',
      value: JSON.stringify({ seq: index, sale: randomUUID() }),
      headers: { schema: 'v1', 'event-id': `e-${index}` },
      timestamp: Date.UTC(2026, 0, 5, 10, 0, index),
    }));

    // Two sends: ordering must also hold across batches, not only inside one.
    const batches = [...(await producer.send(records.slice(0, 25))), ...(await producer.send(records.slice(25)))];
    expect(batches.every((batch) => batch.topic === topic && Number(batch.baseOffset) >= 0)).toBe(true);

    const received = await consume(topic, records.length);
    expect(received).toHaveLength(records.length);
    expect(await recordCount(topic)).toBe(records.length);
    for (const key of keys) {
      const sent = records.filter((record) => record.key === key);
      const got = received.filter((record) => record.key === key);
      expect(new Set(got.map((record) => record.partition)).size).toBe(1);
      expect(got.map((record) => record.value)).toEqual(sent.map((record) => record.value));
      expect(got.map((record) => record.headers)).toEqual(sent.map((record) => record.headers));
      expect(got.map((record) => Number(record.timestamp))).toEqual(sent.map((record) => record.timestamp));
    }
  });

  // Regression guard for an idempotent-producer bug class in Node Kafka clients (kafkajs#1005,
  // platformatic/kafka#326): concurrent sends got the same sequence number, the broker kept one as
  // the "original" and acknowledged the others as duplicates, so acknowledged records vanished.
  it('keeps every record of concurrent sends to one partition', async () => {
    const topic = uniqueTopic('concurrent');
    await ensureTopics(client, [topic], { partitions: 1, replicationFactor: 1 });
    const producer = await openProducer('none');

    const results = await Promise.all(
      Array.from({ length: 25 }, (_, index) => producer.send([{ topic, key: `k-${index}`, value: `v-${index}` }])),
    );

    const offsets = results.flat().map((batch) => batch.baseOffset);
    expect(new Set(offsets).size).toBe(25);
    expect(await recordCount(topic)).toBe(25);
    const received = await consume(topic, 25);
    expect(new Set(received.map((record) => record.value)).size).toBe(25);
  });

  it('fails a send to a topic nobody created, and does not create it', async () => {
    const topic = uniqueTopic('missing');
    const impatient = createKafkaClient({ ...settings, retries: 1, initialRetryMs: 50 });
    const producer = new KafkaProducer(impatient);
    openProducers.push(producer);
    await producer.connect();

    const error = await failure(producer.send([{ topic, key: 'k', value: 'v' }]));

    expect(error.code).toBe(kafkaErrorCodes.sendFailed);
    expect(error.message).toContain(topic);
    const admin = client.admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
});
