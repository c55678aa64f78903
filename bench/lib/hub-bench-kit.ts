import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ClickHouseClient,
  ensureHubTopics,
  type HubConfig,
  type HubConfigInput,
  hubConfigSchema,
  TopicNames,
} from '@tillgate/hub';
import { type StoreEvent, topicForEventType } from '@tillgate/shared';
import { createKafkaClient, KafkaProducer, type OutgoingRecord } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';

// Set-up shared by the hub benchmarks: unique topics and chDB directory per run of the command,
// a deterministic sales dataset, fast pre-production, and resetting ClickHouse between runs.

export interface BenchEnv {
  config: HubConfig;
  names: TopicNames;
  cleanup: () => Promise<void>;
}

export async function benchEnv(overrides: Partial<HubConfigInput> = {}): Promise<BenchEnv> {
  const id = randomUUID().slice(0, 8);
  const dataPath = fileURLToPath(new URL(`../../.run/bench/hub-${id}`, import.meta.url));
  mkdirSync(dataPath, { recursive: true });
  const config = hubConfigSchema.parse({
    kafka: { brokers: [...localStack.kafka.brokers], clientId: 'tillgate-bench', logLevel: 'error' },
    topicPrefix: `bench-${id}.`,
    clickhouse: { dataPath },
    logLevel: 'error',
    ...overrides,
  });
  const names = new TopicNames(config.topicPrefix);
  const kafka = createKafkaClient(config.kafka);
  await ensureHubTopics(kafka, names, config.topics);
  return {
    config,
    names,
    cleanup: async () => {
      rmSync(dataPath, { recursive: true, force: true });
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(config.topicPrefix));
      await admin.deleteTopics({ topics: mine });
      await admin.disconnect();
    },
  };
}

const skus = Array.from({ length: 500 }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);

/** Sales of 1-4 lines (2.5 on average) over `stores` stores; realistic size (~330 bytes of JSON). */
export function salesDataset(count: number, stores = 12, storePrefix = 'store'): StoreEvent[] {
  const base = Date.UTC(2026, 2, 1);
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(base + i * 1_000).toISOString();
    return {
      schema: 1,
      type: 'sale',
      event_id: `${storePrefix}-e${i}`,
      store_id: `${storePrefix}-${i % stores}`,
      terminal_id: `pos-${i % 7}`,
      terminal_seq: i,
      occurred_at: at,
      received_at: at,
      currency: 'EUR',
      lines: Array.from({ length: (i % 4) + 1 }, (_, line) => ({
        sku: skus[(i * 7 + line * 13) % skus.length] ?? 'SKU-00000',
        quantity: (line % 3) + 1,
        unit_price: 1.99 + line,
        promo: line === 1,
      })),
      ...(i % 3 === 0 ? { customer_ref: `loyalty-${i % 997}` } : {}),
    };
  });
}

export const toRecords = (names: TopicNames, events: readonly StoreEvent[]): OutgoingRecord[] =>
  events.map((event) => ({
    topic: names.full(topicForEventType[event.type]),
    key: event.store_id,
    value: JSON.stringify(event),
  }));

export async function produceAll(env: BenchEnv, records: readonly OutgoingRecord[]): Promise<void> {
  const producer = new KafkaProducer(createKafkaClient(env.config.kafka), { compression: 'none' });
  await producer.connect();
  for (let start = 0; start < records.length; start += 2_000) await producer.send(records.slice(start, start + 2_000));
  await producer.disconnect();
}

/** Empties every table (raw and aggregates) so each run does the same work on the same state. */
export async function truncateAll(client: ClickHouseClient): Promise<void> {
  const tables = await (
    await client.query({
      query: `SELECT name FROM system.tables WHERE database = currentDatabase()
              AND engine NOT IN ('View', 'MaterializedView') AND name != 'schema_migrations'`,
      format: 'JSONEachRow',
    })
  ).json<{ name: string }>();
  for (const { name } of tables) await client.command({ query: `TRUNCATE TABLE ${name}` });
}

export async function countRows(client: ClickHouseClient, table: string): Promise<number> {
  const [row] = await (await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{
    n: string;
  }>();
  return Number(row?.n ?? 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * performance.now() at which a consumer group became Stable (joined, partitions assigned); an error
 * naming the group and its last state after `timeoutMs`, so a benchmark never waits forever.
 */
export async function groupStable(env: BenchEnv, groupId: string, timeoutMs = 120_000): Promise<number> {
  const admin = createKafkaClient(env.config.kafka).admin();
  await admin.connect();
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable') return performance.now();
      if (performance.now() > deadline)
        throw new Error(`group ${groupId} not Stable within ${timeoutMs} ms (last state: ${groups[0]?.state})`);
      await sleep(10);
    }
  } finally {
    await admin.disconnect();
  }
}
