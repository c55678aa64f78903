import { randomUUID } from 'node:crypto';
import { clickhouseTopics, consumerLag, createClickHouse, lakeTopics, migrate, startHub } from '@tillgate/hub';
import { kafkaKeyFor, type PosEvent, type StoreEvent, topicForEventType } from '@tillgate/shared';
import { createKafkaClient, KafkaProducer, type OutgoingRecord } from '@tillgate/shared/kafka';
import { eventRows } from '../hub/src/ingest/table-rows.ts';
import { createS3Client } from '../hub/src/lake/s3-client.ts';
import { runHistory } from '../simulators/src/history.ts';
import { defaultHistoryStart, defaultScenario } from '../simulators/src/scenario.ts';
import { benchEnv, countRows, groupStable, sleep, truncateAll } from './lib/hub-bench-kit.ts';
import { round, writeResult } from './lib/result-file.ts';

// A fleet of 1,000 stores into one hub on this machine (issue 13): a producer that speaks exactly the
// edge's Kafka protocol (topic per event type, key = store id, JSON payload with received_at stamped,
// record timestamp = received_at, gzip, acks=all, idempotent) offers a rising load; each step runs
// the hub's ClickHouse and lake consumer groups (one process, as `tillgate-hub run`) and measures
// what they keep up with. Payloads are the simulators' own events: one day of 10 simulated stores,
// copied to 1,000 store ids. Baseline in the same run: the same rows inserted straight into the same
// chDB tables with @clickhouse/client (the ceiling of any consumer).

const STORES = 1_000;
const TEMPLATE_STORES = 10;
// Offered events/s per step and step length; TG_FLEET_STEPS / TG_FLEET_STEP_SECONDS shorten a smoke run.
const STEPS = (process.env.TG_FLEET_STEPS ?? '1000,2000,4000,8000,16000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.TG_FLEET_STEP_SECONDS ?? 20);
const DIRECT_BATCH = 50_000;

// Lake files rotate every 5 s (production: 60 s) so the lake group's lag shows its throughput within a
// step; the run's own key prefix keeps its objects apart for the bytes-per-event figure.
const env = await benchEnv({
  topics: { partitions: 12, replicationFactor: 1 },
  lake: { rotateMs: 5_000, prefix: `fleet-${randomUUID().slice(0, 8)}/` },
});
const s3 = createS3Client(env.config.lake.s3);
if (!(await s3.bucketExists(env.config.lake.bucket)))
  await s3.makeBucket(env.config.lake.bucket, env.config.lake.s3.region);
const client = createClickHouse(env.config.clickhouse);
await migrate(client);

const template = runHistory({ ...defaultScenario, stores: TEMPLATE_STORES }, defaultHistoryStart, 1).events;
process.stdout.write(`template: ${template.length} events of ${TEMPLATE_STORES} simulated stores\n`);

let serial = 0;
/**
 * The template event `i` as store `store` of the fleet sends it now: fresh ids, and occurred_at =
 * received_at = now (the hub refuses events far older than their arrival, as it should).
 */
function fleetEvent(i: number, store: number, now: string): StoreEvent {
  const base = template[i % template.length] as PosEvent;
  return {
    ...base,
    event_id: `fleet-${serial++}`,
    store_id: `store-${String(store).padStart(4, '0')}`,
    occurred_at: now,
    received_at: now,
  } as StoreEvent;
}

function toRecord(event: StoreEvent): OutgoingRecord {
  return {
    topic: env.names.full(topicForEventType[event.type]),
    key: kafkaKeyFor(event),
    value: JSON.stringify(event),
    timestamp: Date.parse(event.received_at),
  };
}

// Stores send through their own agents' producers; PRODUCERS connections (each carrying 1/PRODUCERS
// of the stores) keep that many batches in flight, as many agents forwarding at once would.
const PRODUCERS = 8;
const producers = Array.from(
  { length: PRODUCERS },
  () => new KafkaProducer(createKafkaClient(env.config.kafka), { compression: 'gzip' }),
);
await Promise.all(producers.map((producer) => producer.connect()));

/** Offers `rate` events/s for `seconds`, in 100 ms slices spread over all stores; returns events sent. */
async function offer(rate: number, seconds: number): Promise<number> {
  const perSlice = Math.max(PRODUCERS, Math.round(rate / 10));
  const slices = seconds * 10;
  const start = performance.now();
  let sent = 0;
  for (let slice = 0; slice < slices; slice++) {
    const now = new Date().toISOString();
    const parts: OutgoingRecord[][] = producers.map(() => []);
    for (let k = 0; k < perSlice; k++) {
      const store = (sent + k) % STORES;
      parts[store % PRODUCERS]?.push(toRecord(fleetEvent(sent + k, store, now)));
    }
    await Promise.all(producers.map((producer, index) => producer.send(parts[index] ?? [])));
    sent += perSlice;
    const wait = start + (slice + 1) * 100 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return sent;
}

const kafka = createKafkaClient(env.config.kafka);
const chTopics = clickhouseTopics.map((topic) => env.names.full(topic));
const lakeTopicNames = lakeTopics.map((topic) => env.names.full(topic));

/** Waits until the group has no lag, at most `limitMs` of wall time (a lag query itself can take seconds). */
async function drained(groupId: string, topics: readonly string[], limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if ((await consumerLag(kafka, groupId, topics)).totalLag === 0) return;
    await sleep(1_000);
  }
}

interface Step {
  offered_events_per_s: number;
  sent_events_per_s: number;
  clickhouse_rows_per_s: number;
  clickhouse_lag_end: number;
  lake_lag_end: number;
  visibility_p99_ms: number;
  visibility_p50_ms: number;
  kept_up: boolean;
}

const hub = await startHub({ ...env.config, autoMigrate: false }, { clickhouse: true, lake: true, api: false });
// Joining the groups is a one-off at start, not throughput: offer load only once both are Stable.
await groupStable(env, env.config.ingest.groupId);
await groupStable(env, env.config.lake.groupId);
const steps: Step[] = [];
for (const rate of STEPS) {
  await truncateAll(client);
  const before = performance.now();
  const sent = await offer(rate, STEP_SECONDS);
  const offeredSeconds = (performance.now() - before) / 1000;
  // Give the groups one batch interval to finish what was offered, then read where they stand.
  await sleep(2_000);
  const rows = await countRows(client, 'sales_lines');
  const ch = await consumerLag(kafka, env.config.ingest.groupId, chTopics);
  const lake = await consumerLag(kafka, env.config.lake.groupId, lakeTopicNames);
  const [visibility] = await (
    await client.query({
      query: `SELECT quantile(0.99)(dateDiff('millisecond', received_at, ingested_at)) AS p99,
                     quantile(0.5)(dateDiff('millisecond', received_at, ingested_at)) AS p50 FROM sales_lines`,
      format: 'JSONEachRow',
    })
  ).json<{ p99: number; p50: number }>();
  const step: Step = {
    offered_events_per_s: rate,
    sent_events_per_s: Math.round(sent / offeredSeconds),
    clickhouse_rows_per_s: Math.round(rows / (offeredSeconds + 2)),
    clickhouse_lag_end: ch.totalLag,
    lake_lag_end: lake.totalLag,
    visibility_p99_ms: Math.round(visibility?.p99 ?? 0),
    visibility_p50_ms: Math.round(visibility?.p50 ?? 0),
    // Kept up: the producer reached the offered rate and the ClickHouse group ended the step within
    // 5 s of traffic behind.
    kept_up: sent / offeredSeconds >= rate * 0.9 && ch.totalLag <= rate * 5,
  };
  steps.push(step);
  process.stdout.write(`${JSON.stringify(step)}\n`);
  // Drain before the next step so each step starts from lag 0.
  await drained(env.config.ingest.groupId, chTopics, 120_000);
  if (!step.kept_up) break;
}
// Storage per row and per event, for docs/capacity.md: ClickHouse's compressed bytes per sale line
// (before merges finish, so an upper bound) and the lake's Parquet bytes per archived sale event.
const [storage] = await (
  await client.query({
    query: `SELECT sum(data_compressed_bytes) / sum(rows) AS bytes_per_row FROM system.parts
            WHERE active AND database = currentDatabase() AND table = 'sales_lines'`,
    format: 'JSONEachRow',
  })
).json<{ bytes_per_row: number }>();
await drained(env.config.lake.groupId, lakeTopicNames, 60_000);
let lakeBytes = 0;
for await (const item of s3.listObjectsV2(env.config.lake.bucket, env.config.lake.prefix, true))
  lakeBytes += item.size ?? 0;
const archivedEvents = steps.reduce((sum, step) => sum + step.sent_events_per_s * STEP_SECONDS, 0);
await hub.stop();
await Promise.all(producers.map((producer) => producer.disconnect()));

// Baseline: the same rows (the template's sales, 1,000 store ids) straight into sales_lines.
await truncateAll(client);
const origin = { partition: 0, offset: '0', ingestedAt: '2026-03-01 00:00:00.000' };
const now = new Date().toISOString();
const baselineRows = Array.from({ length: 40_000 }, (_, i) => fleetEvent(i, i % STORES, now))
  .filter((event) => event.type === 'sale')
  .flatMap((event) => eventRows(event, origin).rows);
const directStart = performance.now();
for (let i = 0; i < baselineRows.length; i += DIRECT_BATCH) {
  await client.insert({ table: 'sales_lines', values: baselineRows.slice(i, i + DIRECT_BATCH), format: 'JSONEachRow' });
}
const directRowsPerS = Math.round(baselineRows.length / ((performance.now() - directStart) / 1000));
await client.close();
await env.cleanup();

const sustained = [...steps].reverse().find((step) => step.kept_up);
const value = sustained?.clickhouse_rows_per_s ?? 0;
const file = writeResult({
  name: 'hub-fleet',
  what: `${STORES} simulated stores into one hub process (ClickHouse + lake groups, chDB embedded, Kafka on the same host), offered in ${STEP_SECONDS} s steps of ${STEPS.join('/')} events/s with the edge's Kafka protocol; value = sales-line rows/s into ClickHouse at the highest step the ClickHouse group kept up with`,
  unit: 'rows/s',
  value,
  baseline: {
    what: `direct @clickhouse/client JSONEachRow insert of the same sales lines (${DIRECT_BATCH} per INSERT), same chDB and MVs`,
    value: directRowsPerS,
  },
  ratio: round(value / directRowsPerS),
  sustained_events_per_s: sustained?.offered_events_per_s ?? 0,
  p99_visibility_ms: sustained?.visibility_p99_ms ?? null,
  max_lag_end_of_step: Math.max(...steps.map((step) => step.clickhouse_lag_end)),
  clickhouse_bytes_per_sale_line: round(Number(storage?.bytes_per_row ?? 0), 1),
  lake_parquet_bytes_per_event: round(lakeBytes / Math.max(1, archivedEvents), 1),
  steps,
  runs: 1,
  spread: { min: value, max: value },
  command: 'npm run bench -- hub-fleet',
});
process.stdout.write(`wrote ${file}\n`);
process.exit(0);
