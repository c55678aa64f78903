import { consumerLag, lakeTopics, startHub } from '@tillgate/hub';
import { createKafkaClient } from '@tillgate/shared/kafka';
import { lakeObjectName } from '../hub/src/lake/object-name.ts';
import { encodeParquet, type LakeRow } from '../hub/src/lake/parquet-encoder.ts';
import { createS3Client } from '../hub/src/lake/s3-client.ts';
import { benchEnv, groupStable, produceAll, salesDataset, sleep, toRecords } from './lib/hub-bench-kit.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// Parquet archive throughput of the lake consumer group (Kafka fetch, contract validation, per
// (date, store) buffering, Parquet encoding, S3 upload, offset commit) against the local s3proxy,
// beside the same rows encoded and uploaded directly (no Kafka, no validation, one file per
// (date, store)), interleaved run by run.

const EVENTS = 80_000;
const RUNS = 5;

const env = await benchEnv({
  // Size rotation does the work; the short time rotation bounds the tail of the last partial files.
  lake: { rotateBytes: 1024 * 1024, rotateMs: 500 },
});
const s3 = createS3Client(env.config.lake.s3);
const { bucket } = env.config.lake;
if (!(await s3.bucketExists(bucket))) await s3.makeBucket(bucket, env.config.lake.s3.region);
const events = salesDataset(EVENTS);
const records = toRecords(env.names, events);
await produceAll(env, records);
const payloadBytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.value), 0);
const kafka = createKafkaClient(env.config.kafka);
process.stdout.write(`${EVENTS} sales, ${(payloadBytes / 2 ** 20).toFixed(1)} MiB of JSON produced\n`);

async function objectBytes(prefix: string): Promise<number> {
  let bytes = 0;
  for await (const item of s3.listObjectsV2(bucket, prefix, true)) bytes += item.size ?? 0;
  return bytes;
}

async function throughArchiver(run: number): Promise<{ seconds: number; parquetBytes: number }> {
  const groupId = `${env.config.topicPrefix}lake-run-${run}`;
  const prefix = `${env.config.topicPrefix}run-${run}/`;
  const hub = await startHub(
    { ...env.config, autoMigrate: false, lake: { ...env.config.lake, groupId, prefix } },
    { clickhouse: false, lake: true, api: false },
  );
  const start = await groupStable(env, groupId);
  const topics = lakeTopics.map((topic) => env.names.full(topic));
  while ((await consumerLag(kafka, groupId, topics)).totalLag > 0) await sleep(20);
  const seconds = (performance.now() - start) / 1000;
  await hub.stop();
  return { seconds, parquetBytes: await objectBytes(prefix) };
}

async function direct(run: number): Promise<number> {
  const start = performance.now();
  const groups = new Map<string, LakeRow[]>();
  events.forEach((event, index) => {
    const date = event.occurred_at.slice(0, 10);
    const key = `${date}/${event.store_id}`;
    const rows = groups.get(key) ?? [];
    rows.push({
      id: event.event_id,
      type: event.type,
      storeId: event.store_id,
      occurredAtMs: Date.parse(event.occurred_at),
      topic: records[index]?.topic ?? '',
      partition: 0,
      offset: String(index),
      payload: String(records[index]?.value),
    });
    groups.set(key, rows);
  });
  for (const [key, rows] of groups) {
    const [date = '', storeId = ''] = key.split('/');
    const name = lakeObjectName({
      prefix: `${env.config.topicPrefix}direct-${run}/`,
      topic: 'sales-transactions',
      date,
      storeId,
      partition: 0,
      firstOffset: rows[0]?.offset ?? '0',
    });
    const bytes = Buffer.from(encodeParquet(rows));
    await s3.putObject(bucket, name, bytes, bytes.length);
  }
  return (performance.now() - start) / 1000;
}

await direct(-1); // warm-up: WebAssembly compile, S3 connections
const ours: number[] = [];
const megabytes: number[] = [];
const baseline: number[] = [];
let parquetBytes = 0;
for (let run = 0; run < RUNS; run++) {
  const result = await throughArchiver(run);
  ours.push(EVENTS / result.seconds);
  megabytes.push(payloadBytes / 2 ** 20 / result.seconds);
  parquetBytes = result.parquetBytes;
  baseline.push(EVENTS / (await direct(run)));
  process.stdout.write(
    `run ${run + 1}: archiver ${Math.round(ours[run] ?? 0)} rows/s (${(megabytes[run] ?? 0).toFixed(1)} MiB/s of JSON), direct ${Math.round(baseline[run] ?? 0)} rows/s\n`,
  );
}
await env.cleanup();

const value = Math.round(median(ours));
const base = Math.round(median(baseline));
const file = writeResult({
  name: 'hub-lake',
  what: `hub lake consumer group, messages/s archived as zstd Parquet in S3 (s3proxy on loopback), ${EVENTS} sales (~${Math.round(payloadBytes / EVENTS)} B JSON each), 6 partitions, 12 stores, 1 MiB size rotation; time from group join to lag 0`,
  unit: 'rows/s',
  value,
  mib_per_s: round(median(megabytes), 2),
  parquet_bytes_per_run: parquetBytes,
  json_bytes_per_run: payloadBytes,
  baseline: {
    what: 'the same rows encoded with the same encoder and uploaded directly, one file per (date, store), no Kafka',
    value: base,
  },
  ratio: round(value / base),
  runs: RUNS,
  spread: { min: Math.round(Math.min(...ours)), max: Math.round(Math.max(...ours)) },
  command: 'npm run bench -- hub-lake',
});
process.stdout.write(`wrote ${file}: ${value} rows/s, ${round(median(megabytes), 2)} MiB/s, direct ${base} rows/s\n`);
process.exit(0);
