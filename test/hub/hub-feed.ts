import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clickhouseTopics, consumerLag, hubConfigSchema, lakeTopics, TopicNames } from '@tillgate/hub';
import { type KafkaTopic, kafkaTopics, type StoreEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { Client as S3Client } from 'minio';
import { type HubTestEnv, kafkaFor, produce } from './hub-test-kit.ts';

// For the Python DAG tests (dags/tests/hub_harness.py), which run a real hub process and need its
// Kafka topics fed the way edge agents feed them:
//   hub-feed.ts feed --config hub.json [--events events.jsonl] [--heartbeats beats.jsonl] [--raw raw.jsonl] [--wait-ms N]
//     produce, then wait (up to N ms, default 600000) until the ClickHouse and lake consumer groups have
//     committed everything produced so far; later traffic (a running stack's live agents) is not waited for
//   hub-feed.ts cleanup --config hub.json     delete the run's topics and lake objects
const { values, positionals } = parseArgs({
  options: {
    config: { type: 'string' },
    events: { type: 'string' },
    heartbeats: { type: 'string' },
    raw: { type: 'string' },
    'wait-ms': { type: 'string', default: '600000' },
  },
  allowPositionals: true,
});
const input = JSON.parse(readFileSync(values.config ?? '', 'utf8'));
const config = hubConfigSchema.parse(input);
const env: HubTestEnv = {
  dir: '',
  config,
  configFile: values.config ?? '',
  names: new TopicNames(config.topicPrefix),
  cleanup: async () => undefined,
};
const lines = (file: string | undefined) =>
  file === undefined
    ? []
    : readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line));

/** Waits on a condition, not a clock: the group's commits pass the end offsets as they are now (a loaded
 * box may need minutes; a stack's live traffic after this instant is not part of the wait). */
async function waitForCommitted(group: 'clickhouse' | 'lake', timeoutMs: number): Promise<void> {
  const kafka = kafkaFor(config);
  const groupId = group === 'clickhouse' ? config.ingest.groupId : config.lake.groupId;
  const topics = (group === 'clickhouse' ? clickhouseTopics : lakeTopics).map((topic) => env.names.full(topic));
  const key = (p: { topic: string; partition: number }) => `${p.topic}/${p.partition}`;
  const targets = new Map((await consumerLag(kafka, groupId, topics)).partitions.map((p) => [key(p), BigInt(p.end)]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { partitions } = await consumerLag(kafka, groupId, topics);
    const behind = partitions.filter((p) => BigInt(p.committed ?? '0') < (targets.get(key(p)) ?? 0n));
    if (behind.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${groupId} has not committed ${behind.map(key).join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (positionals[0] === 'feed') {
  const events = lines(values.events) as StoreEvent[];
  const beats = lines(values.heartbeats).map((beat: { store_id: string }) => ({
    topic: env.names.full(kafkaTopics.edgeHeartbeats),
    key: beat.store_id,
    value: JSON.stringify(beat),
  }));
  // Raw records (e.g. payloads the hub must dead-letter): { topic: contract topic name, key, value }.
  const raw = lines(values.raw).map((record: { topic: KafkaTopic; key: string; value: string }) => ({
    ...record,
    topic: env.names.full(record.topic),
  }));
  await produce(env, events, [...beats, ...raw]);
  const waitMs = Number(values['wait-ms']);
  await waitForCommitted('clickhouse', waitMs);
  if (events.length > 0) await waitForCommitted('lake', waitMs);
} else if (positionals[0] === 'cleanup') {
  const admin = kafkaFor(config).admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(config.topicPrefix));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
  const s3 = new S3Client({ ...localStack.s3, pathStyle: true });
  if (await s3.bucketExists(config.lake.bucket)) {
    const names: string[] = [];
    for await (const item of s3.listObjectsV2(config.lake.bucket, config.lake.prefix, true)) {
      if (item.name !== undefined) names.push(item.name);
    }
    if (names.length > 0) await s3.removeObjects(config.lake.bucket, names);
  }
} else {
  throw new Error('usage: hub-feed.ts feed|cleanup --config hub.json [--events f] [--heartbeats f] [--raw f]');
}
process.exit(0);
