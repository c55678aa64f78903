import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hubConfigSchema, TopicNames } from '@tillgate/hub';
import { type KafkaTopic, kafkaTopics, type StoreEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { Client as S3Client } from 'minio';
import { type HubTestEnv, kafkaFor, produce, waitForCaughtUp } from './hub-test-kit.ts';

// For the Python DAG tests (dags/tests/hub_harness.py), which run a real hub process and need its
// Kafka topics fed the way edge agents feed them:
//   hub-feed.ts feed --config hub.json [--events events.jsonl] [--heartbeats beats.jsonl] [--raw raw.jsonl]
//     produce, then wait until the ClickHouse and lake consumer groups have committed everything
//   hub-feed.ts cleanup --config hub.json     delete the run's topics and lake objects
const { values, positionals } = parseArgs({
  options: {
    config: { type: 'string' },
    events: { type: 'string' },
    heartbeats: { type: 'string' },
    raw: { type: 'string' },
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
  await waitForCaughtUp(env, 'clickhouse', 120_000);
  if (events.length > 0) await waitForCaughtUp(env, 'lake', 120_000);
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
