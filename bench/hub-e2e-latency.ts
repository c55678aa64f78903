import { clickhouseTopics, createClickHouse, startHub } from '@tillgate/hub';
import { type StoreEvent, topicForEventType } from '@tillgate/shared';
import { createConsumer, createKafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import { benchEnv, groupStable, salesDataset, sleep } from './lib/hub-bench-kit.ts';
import { percentile, pooledLatency, round, writeResult } from './lib/result-file.ts';

// Produce → visible in ClickHouse, at 2,000 sale events/s, with the hub's default ingest settings.
// Beside it, in the same run, a plain consumer of the same topics measures produce → delivered by
// Kafka alone: the floor any consumer starts from. ratio = Kafka-only p99 ÷ hub p99.

const RATE = 2_000; // events/s offered
const TICK_MS = 50;
const SECONDS = 12; // per run
const RUNS = 5;
const STORES = 12;

const env = await benchEnv();
const hub = await startHub(env.config, { clickhouse: true, lake: false, api: false });
await groupStable(env, env.config.ingest.groupId);
const client = createClickHouse(env.config.clickhouse);
const kafka = createKafkaClient(env.config.kafka);

// Kafka-only floor: when each store's highest sequence number was delivered to a consumer.
const delivered = new Map<string, Array<{ seq: number; at: number }>>();
const plain = createConsumer(kafka, { groupId: `${env.config.topicPrefix}plain`, tuning: { maxWaitTimeInMs: 50 } });
await plain.connect();
await plain.subscribe({ topics: clickhouseTopics.map((topic) => env.names.full(topic)) });
await plain.run({
  eachBatch: async ({ batch }) => {
    const at = performance.now();
    for (const message of batch.messages) {
      const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as StoreEvent;
      const list = delivered.get(event.store_id) ?? [];
      list.push({ seq: event.terminal_seq, at });
      delivered.set(event.store_id, list);
    }
  },
});
await groupStable(env, `${env.config.topicPrefix}plain`);
const producer = new KafkaProducer(kafka);
await producer.connect();

interface RunResult {
  hub: number[];
  kafka: number[];
}

async function run(label: string): Promise<RunResult> {
  const count = RATE * SECONDS;
  const events = salesDataset(count, STORES, label);
  const sentAt = new Array<number>(count).fill(0);
  const visibleAt = new Array<number>(count).fill(0);
  const perTick = (RATE * TICK_MS) / 1000;
  let polling = true;
  const poller = (async () => {
    const next = new Map<string, number>(); // per store: index of the first event not yet seen
    while (polling) {
      const result = await client.query({
        query: `SELECT store_id, max(terminal_seq) AS seq FROM sales_lines WHERE startsWith(store_id, {label:String})
                GROUP BY store_id`,
        query_params: { label: `${label}-` },
        format: 'JSONEachRow',
      });
      const now = performance.now();
      for (const { store_id, seq } of await result.json<{ store_id: string; seq: string }>()) {
        const store = Number(store_id.slice(label.length + 1));
        for (let i = next.get(store_id) ?? store; i <= Number(seq); i += STORES) {
          if (visibleAt[i] === 0) visibleAt[i] = now;
          next.set(store_id, i + STORES);
        }
      }
      await sleep(20);
    }
  })();
  const start = performance.now();
  for (let tick = 0; tick * perTick < count; tick++) {
    const due = start + tick * TICK_MS;
    if (due > performance.now()) await sleep(due - performance.now());
    const batch = events.slice(tick * perTick, (tick + 1) * perTick);
    const at = performance.now();
    batch.forEach((event) => {
      sentAt[event.terminal_seq] = at;
    });
    void producer.send(
      batch.map((event) => ({
        topic: env.names.full(topicForEventType[event.type]),
        key: event.store_id,
        value: JSON.stringify(event),
      })),
    );
  }
  const deadline = performance.now() + 30_000;
  while (visibleAt.some((at) => at === 0) && performance.now() < deadline) await sleep(50);
  polling = false;
  await poller;
  const hubLatencies = visibleAt.map((at, i) => at - (sentAt[i] ?? 0));
  const kafkaLatencies: number[] = [];
  for (const [store, list] of delivered) {
    if (!store.startsWith(`${label}-`)) continue;
    for (const { seq, at } of list) kafkaLatencies.push(at - (sentAt[seq] ?? 0));
  }
  if (visibleAt.some((at) => at === 0)) throw new Error(`${label}: events not visible after 30 s`);
  return { hub: hubLatencies, kafka: kafkaLatencies };
}

await run('warmup');
const runs: RunResult[] = [];
for (let i = 0; i < RUNS; i++) {
  const result = await run(`run${i}`);
  runs.push(result);
  process.stdout.write(
    `run ${i + 1}: hub p50 ${Math.round(percentile(result.hub, 50))} ms p99 ${Math.round(percentile(result.hub, 99))} ms; ` +
      `kafka-only p99 ${Math.round(percentile(result.kafka, 99))} ms\n`,
  );
}
await producer.disconnect();
await plain.disconnect();
await hub.stop();
await client.close();
await env.cleanup();

const ours = pooledLatency(runs.map((result) => result.hub));
const kafkaOnly = pooledLatency(runs.map((result) => result.kafka));
const file = writeResult({
  name: 'hub-e2e-latency',
  what: `p99 ms (pooled over all runs) from Kafka produce (acks=all) to row visible in ClickHouse (embedded chDB) at ${RATE} sale events/s offered, ${SECONDS} s per run, default ingest settings; ratio = Kafka-only p99 ÷ ours`,
  unit: 'ms',
  ...ours,
  offered_load: `${RATE} events/s`,
  baseline: {
    what: 'p99 ms (pooled) produce → delivered to a plain kafkajs consumer of the same topics, same runs',
    value: kafkaOnly.p99,
  },
  kafka_only: { p50: kafkaOnly.p50, p99: kafkaOnly.p99, per_run_p99: kafkaOnly.per_run_p99 },
  ratio: round(kafkaOnly.p99 / ours.p99),
  goal: { p99_ms_below: 2000 },
  runs: RUNS,
  command: 'npm run bench -- hub-e2e-latency',
});
process.stdout.write(
  `wrote ${file}: pooled p99 ${ours.p99} ms (p50 ${ours.p50} ms), kafka-only p99 ${kafkaOnly.p99} ms\n`,
);
process.exit(0);
