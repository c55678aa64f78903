import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clickhouseTopics,
  consumerLag,
  ensureHubTopics,
  type HubConfig,
  type HubConfigInput,
  hubConfigSchema,
  lakeTopics,
  TopicNames,
} from '@tillgate/hub';
import { type StoreEvent, topicForEventType } from '@tillgate/shared';
import { createKafkaClient, KafkaProducer, type OutgoingRecord } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { Client as S3Client } from 'minio';

// Shared by the hub integration tests: unique topics, groups, bucket prefix and chDB directory per
// test file, a producer, waiting for a group to catch up, and the hub CLI as a child process.

export interface HubTestEnv {
  dir: string;
  config: HubConfig;
  configFile: string;
  names: TopicNames;
  /** Removes the chDB directory, the test's topics and its lake objects. */
  cleanup: () => Promise<void>;
}

type Section<K extends 'ingest' | 'lake'> = Partial<NonNullable<HubConfigInput[K]>>;

export function hubTestEnv(overrides: { ingest?: Section<'ingest'>; lake?: Section<'lake'> } = {}): HubTestEnv {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-hub-'));
  const id = randomUUID().slice(0, 8);
  const input: HubConfigInput = {
    kafka: { brokers: [...localStack.kafka.brokers], clientId: 'tillgate-hub-test', logLevel: 'error' },
    topicPrefix: `test-${id}.`,
    topics: { partitions: 3, replicationFactor: 1 },
    clickhouse: { dataPath: join(dir, 'chdb') },
    ingest: {
      groupId: `test-${id}-clickhouse`,
      minBatchBytes: 1,
      maxWaitMs: 50,
      sessionTimeoutMs: 6_000,
      ...overrides.ingest,
    },
    lake: {
      groupId: `test-${id}-lake`,
      prefix: `test-${id}/`,
      rotateMs: 500,
      sessionTimeoutMs: 6_000,
      ...overrides.lake,
    },
    api: { port: 0 },
    logLevel: 'error',
  };
  const config = hubConfigSchema.parse(input);
  const configFile = join(dir, 'hub.json');
  writeFileSync(configFile, JSON.stringify(input));
  return {
    dir,
    config,
    configFile,
    names: new TopicNames(config.topicPrefix),
    cleanup: async () => {
      // A failed test may leave a hub child running; it would hold the chDB directory and the group.
      for (const child of children) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      await deleteTopics(config);
      await deleteLakeObjects(config);
    },
  };
}

async function deleteTopics(config: HubConfig): Promise<void> {
  const admin = kafkaFor(config).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(config.topicPrefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  } finally {
    await admin.disconnect();
  }
}

async function deleteLakeObjects(config: HubConfig): Promise<void> {
  const s3 = new S3Client({ ...localStack.s3, pathStyle: true });
  if (!(await s3.bucketExists(config.lake.bucket))) return;
  const names: string[] = [];
  for await (const item of s3.listObjectsV2(config.lake.bucket, config.lake.prefix, true)) {
    if (item.name !== undefined) names.push(item.name);
  }
  if (names.length > 0) await s3.removeObjects(config.lake.bucket, names);
}

export function kafkaFor(config: HubConfig) {
  return createKafkaClient(config.kafka);
}

/** Creates the hub's topics, as `startHub` does, so tests can produce before any hub runs. */
export const ensureTestTopics = (env: HubTestEnv) =>
  ensureHubTopics(kafkaFor(env.config), env.names, env.config.topics);

/**
 * Produces events as the edge does: topic by type, key = store. Extra raw records go as they are.
 * `perSend` records go in one request (one record batch per partition, which a consumer's fetch
 * returns whole however small its byte limit): lower it to make a consumer see many small batches.
 */
export async function produce(
  env: HubTestEnv,
  events: readonly StoreEvent[],
  raw: readonly OutgoingRecord[] = [],
  perSend = 500,
): Promise<void> {
  await ensureTestTopics(env);
  const producer = new KafkaProducer(kafkaFor(env.config));
  await producer.connect();
  try {
    const records: OutgoingRecord[] = events.map((event) => ({
      topic: env.names.full(topicForEventType[event.type]),
      key: event.store_id,
      value: JSON.stringify(event),
    }));
    for (let start = 0; start < records.length; start += perSend)
      await producer.send(records.slice(start, start + perSend));
    if (raw.length > 0) await producer.send(raw);
  } finally {
    await producer.disconnect();
  }
}

/** Waits until a group has committed everything on its topics. */
export async function waitForCaughtUp(
  env: HubTestEnv,
  group: 'clickhouse' | 'lake',
  timeoutMs = 60_000,
): Promise<void> {
  const kafka = kafkaFor(env.config);
  const groupId = group === 'clickhouse' ? env.config.ingest.groupId : env.config.lake.groupId;
  const topics = (group === 'clickhouse' ? clickhouseTopics : lakeTopics).map((topic) => env.names.full(topic));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lag = await consumerLag(kafka, groupId, topics);
    const produced = lag.partitions.some((partition) => partition.end !== '0');
    if (produced && lag.totalLag === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${groupId} still ${lag.totalLag} messages behind after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function totalLag(env: HubTestEnv, group: 'clickhouse' | 'lake'): Promise<number> {
  const groupId = group === 'clickhouse' ? env.config.ingest.groupId : env.config.lake.groupId;
  const topics = (group === 'clickhouse' ? clickhouseTopics : lakeTopics).map((topic) => env.names.full(topic));
  return (await consumerLag(kafkaFor(env.config), groupId, topics)).totalLag;
}

export interface HubChild {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const cli = join(import.meta.dirname, '../../hub/src/cli.ts');
const children = new Set<ChildProcess>();

/** The hub CLI in its own process (its own chDB), as an operator runs it. */
export function spawnHub(env: HubTestEnv, args: string[], extraEnv: Record<string, string> = {}): HubChild {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args, '--config', env.configFile], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { process: child, exited, stderr: () => stderr };
}

export const s3Url = `http://${localStack.s3.endPoint}:${localStack.s3.port}`;
