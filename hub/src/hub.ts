import { createLogger, type Logger } from '@tillgate/shared';
import { createKafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import type { FastifyInstance } from 'fastify';
import { buildApi } from './api/app.ts';
import { authOptionsFrom, tlsFrom } from './auth/auth-options.ts';
import { type ClickHouseClient, createClickHouse } from './clickhouse.ts';
import type { HubConfig } from './config.ts';
import { consumerLag } from './fleet/consumer-lag.ts';
import { ensureHubTopics } from './hub-topics-setup.ts';
import { ClickHouseIngest } from './ingest/clickhouse-consumer.ts';
import { DeadLetters } from './ingest/dead-letters.ts';
import { clickhouseTopics, lakeTopics, TopicNames } from './ingest/hub-topics.ts';
import { LakeArchiver } from './lake/lake-archiver.ts';
import { createS3Client } from './lake/s3-client.ts';
import { migrate } from './migrate.ts';
import { HubReconciler } from './reconciliation/hub-reconciler.ts';
import { startRollouts } from './rollout/start-rollouts.ts';

export interface HubParts {
  clickhouse: boolean;
  lake: boolean;
  api: boolean;
}

export const allHubParts: HubParts = { clickhouse: true, lake: true, api: true };

export interface RunningHub {
  /** `http://host:port` of the API when it runs. */
  readonly apiUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the chosen hub parts in this process. With embedded chDB the ClickHouse consumer and the API
 * must share a process (chDB binds one data directory per process), so the local stack runs them all
 * here; the lake needs no ClickHouse and can run anywhere.
 */
export async function startHub(config: HubConfig, parts: HubParts = allHubParts, logger?: Logger): Promise<RunningHub> {
  const log = logger ?? createLogger({ name: 'tillgate-hub', level: config.logLevel });
  const kafkaLog = log.child({ component: 'kafka' });
  const kafka = createKafkaClient(config.kafka, {
    log: (level, message, fields) => kafkaLog[level](fields, message),
  });
  const names = new TopicNames(config.topicPrefix);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    await ensureHubTopics(kafka, names, config.topics);

    let clickhouse: ClickHouseClient | undefined;
    if (parts.clickhouse || parts.api) {
      const client = createClickHouse(config.clickhouse);
      clickhouse = client;
      stops.push(() => client.close());
      if (config.autoMigrate) {
        const { applied } = await migrate(client);
        if (applied.length > 0) log.info({ applied }, 'migrations applied');
      }
    }
    // In one process the consumer tells the API's live alert feed when alerts landed, so it reads at
    // once instead of at its next poll; split deployments still get them by polling.
    const alertListeners = new Set<() => void>();
    const onWritten = (tables: ReadonlySet<string>) => {
      if (tables.has('alerts')) for (const listener of alertListeners) listener();
    };
    if (parts.clickhouse && clickhouse !== undefined) {
      const producer = new KafkaProducer(kafka);
      await producer.connect();
      stops.push(() => producer.disconnect());
      const deadLetters = new DeadLetters(clickhouse, producer, names, config.ingest.groupId);
      const ingest = await ClickHouseIngest.start({
        config,
        kafka,
        clickhouse,
        deadLetters,
        names,
        logger: log,
        onWritten,
      });
      stops.push(() => ingest.stop());
      if (config.reconciliation.enabled) {
        // Beside ingest: it reads what ingest wrote, and chDB binds one process to its data directory.
        const reconciler = new HubReconciler(
          clickhouse,
          config.reconciliation,
          log.child({ component: 'reconciliation' }),
        );
        reconciler.start();
        stops.push(() => reconciler.stop());
      }
    }
    if (parts.lake) {
      const s3 = createS3Client(config.lake.s3);
      const archiver = await LakeArchiver.start({ config, kafka, s3, names, logger: log });
      stops.push(() => archiver.stop());
    }
    let apiUrl: string | undefined;
    if (parts.api && clickhouse !== undefined) {
      const https = tlsFrom(config.api);
      const rollouts = config.rollouts.enabled ? await startRollouts(config, kafka, clickhouse, log) : undefined;
      if (rollouts !== undefined) stops.push(() => rollouts.stop());
      const api: FastifyInstance = buildApi({
        clickhouse,
        ...(rollouts === undefined ? {} : { rollouts: rollouts.controller }),
        auth: authOptionsFrom(config.api),
        logger: log.child({ component: 'api' }),
        alertsStored: (listener) => {
          alertListeners.add(listener);
          return () => alertListeners.delete(listener);
        },
        ...(https === undefined ? {} : { https }),
        onlineWithinSeconds: config.api.onlineWithinSeconds,
        ...(config.api.warehouseToken === undefined ? {} : { warehouseToken: config.api.warehouseToken }),
        lag: () =>
          Promise.all([
            consumerLag(
              kafka,
              config.ingest.groupId,
              clickhouseTopics.map((topic) => names.full(topic)),
            ),
            consumerLag(
              kafka,
              config.lake.groupId,
              lakeTopics.map((topic) => names.full(topic)),
            ),
          ]),
      });
      apiUrl = await api.listen({ host: config.api.host, port: config.api.port });
      stops.push(() => api.close());
    }
    log.info({ parts, apiUrl }, 'hub started');
    return { apiUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
