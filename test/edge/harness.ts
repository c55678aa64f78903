import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKafkaTopics, kafkaTopicConfigs, type PosEvent } from '@tillgate/shared';
import { createConsumer, createKafkaClient, ensureTopics, type KafkaClient } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import mqtt, { type MqttClient } from 'mqtt';
import { type EdgeConfig, type EdgeConfigInput, parseEdgeConfig } from '../../edge/src/config.ts';
import { hashPassword } from '../../edge/src/security/password-hash.ts';
import { writeSignedTinyModel } from './tiny-onnx-model.ts';

// Shared set-up of the edge integration tests: a unique store, data dir and Kafka topic prefix per
// test (STYLE.md "Tests"), all against the real local Kafka; cleanup is registered by the caller.

export const terminalPassword = 'terminal-secret-1';
/** What the test configs hold for every account: the agent stores only hashes. */
export const terminalPasswordHash = await hashPassword(terminalPassword);

export interface ConsumedRecord {
  key: string;
  value: string;
}

export interface EdgeTestBed {
  storeId: string;
  dataDir: string;
  topicPrefix: string;
  kafka: KafkaClient;
  config(overrides?: Partial<EdgeConfigInput>): EdgeConfig;
  /** Every record of `topic` (unprefixed) read from the beginning, once at least `count` arrived. */
  /**
   * Reads `topic` from the beginning until `enough` holds: a record count, or a predicate over what was
   * read so far (at-least-once transport can deliver duplicates, so a plain count can stop too early).
   */
  consume(
    topic: string,
    enough: number | ((records: ConsumedRecord[]) => boolean),
    timeoutMs?: number,
  ): Promise<ConsumedRecord[]>;
  cleanup(): Promise<void>;
}

export async function edgeTestBed(name: string): Promise<EdgeTestBed> {
  const id = randomUUID().slice(0, 8);
  const storeId = `${name}-${id}`;
  const dataDir = mkdtempSync(join(tmpdir(), `tillgate-edge-${name}-`));
  const topicPrefix = `t-${name}-${id}.`;
  const kafka = createKafkaClient({ brokers: localStack.kafka.brokers, clientId: `edge-test-${id}` });
  const topics = allKafkaTopics.map((topic) => topicPrefix + topic);
  // Topic creation can fail transiently while other tests create and delete topics on the same
  // broker ("does not host this topic-partition"); the error says whether a retry can help.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(
        kafka,
        topics,
        { partitions: 1, replicationFactor: 1 },
        Object.fromEntries(Object.entries(kafkaTopicConfigs).map(([topic, config]) => [topicPrefix + topic, config])),
      );
      break;
    } catch (error) {
      if (attempt >= 5 || !(error as { canRetry?: boolean }).canRetry) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
  // Tests drive SKUs to stock-out and need risk they can predict: a signed tiny model (risk =
  // sigmoid(2 - on_hand)) loaded through the production path. The bundled default is covered by
  // agent-intake.test.ts and edge/src/scoring.
  const model = writeSignedTinyModel(dataDir);
  return {
    storeId,
    dataDir,
    topicPrefix,
    kafka,
    config: (overrides = {}) =>
      parseEdgeConfig({
        storeId,
        dataDir,
        logLevel: 'error',
        mqtt: {
          mode: 'embedded',
          port: 0,
          terminals: [1, 2, 3].map((n) => ({ id: `t${n}`, passwordHash: terminalPasswordHash })),
          displays: [{ id: 'display', passwordHash: terminalPasswordHash }],
        },
        kafka: {
          brokers: [...localStack.kafka.brokers],
          topicPrefix,
          idleMs: 20,
          backoffInitialMs: 100,
          backoffMaxMs: 1_000,
        },
        status: { port: 0 },
        heartbeat: { intervalMs: 1_000 },
        model: { dir: model.dir, trustedKeys: [model.pin] },
        ...overrides,
      }),
    async consume(topic, enough, timeoutMs = 60_000) {
      const consumer = createConsumer(kafka, { groupId: `edge-test-${randomUUID()}` });
      const records: ConsumedRecord[] = [];
      const done = typeof enough === 'number' ? () => records.length >= enough : () => enough(records);
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: topicPrefix + topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`only ${records.length} records on ${topic} within ${timeoutMs} ms, not enough`)),
            timeoutMs,
          );
          void consumer.run({
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                records.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
              }
              if (done()) {
                clearTimeout(timer);
                resolve();
              }
            },
          });
        });
      } finally {
        await consumer.disconnect();
      }
      return records;
    },
    async cleanup() {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function connectTerminal(port: number, terminalId: string, password = terminalPassword): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `${terminalId}-${randomUUID().slice(0, 6)}`,
    username: terminalId,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
}

export const publishEvent = (client: MqttClient, event: PosEvent): Promise<unknown> =>
  client.publishAsync(`tillgate/${event.store_id}/pos/${event.terminal_id}/events`, JSON.stringify(event), { qos: 1 });

/** Awaits `promise` for at most `timeoutMs`, else fails naming what it was waiting for (never hangs silently). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${timeoutMs} ms for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` holds or the time is up; for state that settles asynchronously. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
