import { createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import { kafkaTopics, type StoreEvent } from '@tillgate/shared';
import { createConsumer } from '@tillgate/shared/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedDataset } from './fixed-dataset.ts';
import { type HubTestEnv, hubTestEnv, kafkaFor, produce, waitForCaughtUp } from './hub-test-kit.ts';

// Must-show: poison messages land in the dead-letters topic and table with their reason, and the
// valid events around them are ingested.
describe('poison messages', () => {
  let env: HubTestEnv;
  let hub: RunningHub;
  const sale = fixedDataset.find((event) => event.event_id === 'e1') as StoreEvent;
  const poison = (value: string, key = 's1') => ({ key, value });

  beforeAll(async () => {
    env = hubTestEnv();
    hub = await startHub(env.config, { clickhouse: true, lake: false, api: false });
    const sales = env.names.full(kafkaTopics.salesTransactions);
    const inventory = env.names.full(kafkaTopics.inventoryUpdates);
    await produce(
      env,
      [],
      [
        { topic: sales, ...poison('{"schema":1,') },
        {
          topic: sales,
          ...poison(
            JSON.stringify({ ...sale, event_id: 'bad-qty', lines: [{ sku: 'ALPHA', quantity: -3, unit_price: 1 }] }),
          ),
        },
        { topic: sales, ...poison(JSON.stringify({ ...sale, event_id: 'extra', discount: 5 })) },
        // A valid sale on the wrong topic would be summed into stock as well as sales if it were accepted.
        { topic: inventory, ...poison(JSON.stringify(sale)) },
      ],
    );
    // Valid events after the poison: ingestion must go on.
    await produce(env, fixedDataset);
    await waitForCaughtUp(env, 'clickhouse');
  });

  afterAll(async () => {
    await hub?.stop();
    await env?.cleanup();
  });

  it('records each poison message in dead_letters with the field and reason', async () => {
    const client = createClickHouse(env.config.clickhouse);
    try {
      const rows = await (
        await client.query({
          query: `SELECT replaceOne(topic, {prefix:String}, '') AS topic, error_code, field, reason
                  FROM dead_letters ORDER BY topic, field`,
          query_params: { prefix: env.config.topicPrefix },
          format: 'JSONEachRow',
        })
      ).json<{ topic: string; error_code: string; field: string; reason: string }>();
      expect(rows.map(({ topic, field }) => `${topic} ${field}`)).toEqual([
        'inventory-updates type',
        'sales-transactions (payload)',
        'sales-transactions discount',
        'sales-transactions lines.0.quantity',
      ]);
      expect(rows.every((row) => row.error_code === 'TG_SHARED_CONTRACT_VIOLATION')).toBe(true);
      expect(rows.find((row) => row.field === '(payload)')?.reason).toMatch(/not valid JSON/);
      expect(rows.find((row) => row.field === 'lines.0.quantity')?.reason).toBe('quantity must be greater than 0');
      expect(rows.find((row) => row.field === 'type')?.reason).toMatch(/belongs on sales-transactions/);
    } finally {
      await client.close();
    }
  });

  it('publishes them to the dead-letters topic with the original coordinates and payload', async () => {
    const consumer = createConsumer(kafkaFor(env.config), { groupId: `${env.config.topicPrefix}dlq-reader` });
    const letters: Array<Record<string, unknown>> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [env.names.full(kafkaTopics.deadLetters)], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          letters.push(JSON.parse(message.value?.toString('utf8') ?? '{}'));
          if (letters.length === 4) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    const extra = letters.find((letter) => letter.field === 'discount');
    expect(extra).toMatchObject({
      reason: 'is not a field of contract v1',
      error_code: 'TG_SHARED_CONTRACT_VIOLATION',
    });
    expect(JSON.parse(String(extra?.payload))).toMatchObject({ event_id: 'extra' });
    expect(typeof extra?.kafka_offset).toBe('string');
  });

  it('ingests the valid events produced after the poison', async () => {
    const client = createClickHouse(env.config.clickhouse);
    try {
      const [row] = await (
        await client.query({ query: 'SELECT uniqExact(event_id) AS events FROM sales_lines', format: 'JSONEachRow' })
      ).json();
      expect(row).toEqual({ events: '4' });
    } finally {
      await client.close();
    }
  });
});
