import { loadConfig } from '@tillgate/shared';
import { kafkaConnectionSchema } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { z } from 'zod';

// The hub's one config schema (STYLE.md "Config"). Every default is the local stack's, so
// `tillgate-hub run` with no file works on a developer machine; production sets clickhouse.url,
// kafka, lake.s3 and the credentials through a file or TILLGATE_HUB__* environment variables.

const clickhouseSchema = z.strictObject({
  /** A ClickHouse server, e.g. "http://10.0.0.7:8123". Absent: embedded chDB at `dataPath`. */
  url: z
    .string()
    .regex(/^https?:\/\/[^/\s]+/, 'expected an http(s) URL such as http://127.0.0.1:8123')
    .optional(),
  username: z.string().default('default'),
  password: z.string().default(''),
  /** chDB data directory (one per process: chDB binds one directory per process). */
  dataPath: z.string().min(1).default('.run/hub/chdb'),
});

const s3Schema = z.strictObject({
  endPoint: z.string().min(1).default(localStack.s3.endPoint),
  port: z.number().int().min(1).max(65_535).default(localStack.s3.port),
  useSSL: z.boolean().default(localStack.s3.useSSL),
  accessKey: z.string().min(1).default(localStack.s3.accessKey),
  secretKey: z.string().min(1).default(localStack.s3.secretKey),
  region: z.string().min(1).default('us-east-1'),
});

export const hubConfigSchema = z.strictObject({
  kafka: kafkaConnectionSchema.prefault({ brokers: [...localStack.kafka.brokers], clientId: 'tillgate-hub' }),
  /** Prepended to every topic name; lets tests and staging share one cluster. */
  topicPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-"')
    .default(''),
  /** Layout of topics the hub creates when missing (never changes existing ones). */
  topics: z
    .strictObject({
      partitions: z.number().int().min(1).max(1_000).default(6),
      replicationFactor: z.number().int().min(1).max(10).default(1), // 1 on the single-node stack
    })
    .prefault({}),
  clickhouse: clickhouseSchema.prefault({}),
  /** Apply sql/ migrations when ingest / serve / run start (idempotent). */
  autoMigrate: z.boolean().default(true),
  ingest: z
    .strictObject({
      groupId: z.string().min(1).default('tillgate-hub-clickhouse'),
      // A fetch returns when this many bytes are ready or maxWaitMs passed: Kafka's own size + time batching.
      minBatchBytes: z
        .number()
        .int()
        .min(1)
        .default(256 * 1024), // bytes
      maxBatchBytes: z
        .number()
        .int()
        .min(1_024)
        .default(8 * 1024 * 1024), // bytes per partition and fetch
      maxWaitMs: z.number().int().min(10).max(30_000).default(250), // ms
      /** Partitions of one fetch validated at once and written together in one INSERT per table. */
      partitionsConcurrently: z.number().int().min(1).max(256).default(16),
      // A killed consumer keeps its partitions this long; the broker's floor is 6 s.
      sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000), // ms
    })
    .prefault({}),
  lake: z
    .strictObject({
      groupId: z.string().min(1).default('tillgate-hub-lake'),
      bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'not a valid S3 bucket name')
        .default('tillgate-lake'),
      /** Key prefix inside the bucket ('' or ending in '/'). */
      prefix: z
        .string()
        .regex(/^$|\/$/, 'must be empty or end with "/"')
        .default(''),
      rotateBytes: z
        .number()
        .int()
        .min(1_024)
        .default(64 * 1024 * 1024), // bytes of JSON buffered per partition
      rotateMs: z.number().int().min(100).default(60_000), // ms a partition's files stay open at most
      sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000), // ms, as ingest.sessionTimeoutMs
      s3: s3Schema.prefault({}),
    })
    .prefault({}),
  /** Model rollouts (hub/src/rollout): the registry bucket on lake.s3's server and the controller's pace. */
  rollouts: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** The model registry bucket (models/tillgate_models/registry.py publishes into it). */
      bucket: z.string().min(3).default('tillgate-models'),
      tickMs: z.number().int().min(100).default(2_000), // ms between controller passes
      // s a presigned model URL stays valid: SigV4's maximum, so a store offline for days can still fetch.
      urlSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 24 * 3_600)
        .default(7 * 24 * 3_600),
    })
    .prefault({}),
  /** End-of-day Z-report reconciliation against ClickHouse (hub/src/reconciliation). */
  reconciliation: z
    .strictObject({
      enabled: z.boolean().default(true),
      tickMs: z.number().int().min(100).default(10_000), // ms between passes over unmatched reports
      // ms a report waits in ClickHouse before a mismatch is recorded: its events come on other topics
      // and may still be in ingest (minutes of lag after a WAN outage); a match is recorded at once.
      settleMs: z.number().int().min(0).default(120_000),
      // h after a report reached the hub it is reconciled again (late re-sends); the DQ check flags it long before.
      lookbackHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 45)
        .default(72),
      maxPerPass: z.number().int().min(1).max(10_000).default(500), // reports per pass
      passBudgetMs: z.number().int().min(10).default(2_000), // ms of reconciling per pass at most
      // ms an unmatched report waits at most before its next try (doubling from tickMs); a re-sent copy goes at once.
      maxRetryMs: z.number().int().min(100).default(60_000),
    })
    .prefault({}),
  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(localStack.hubApiPort),
      // A store is online while its last heartbeat is younger than this: the edge's default heartbeat
      // interval (10 s) plus 5 s for Kafka delivery and ingest, so a silent store turns red within one
      // interval and the margin. Set it to your agents' interval + margin (the local stack beats every 5 s).
      onlineWithinSeconds: z.number().int().min(1).default(15), // s
      /** PEM files: the API serves HTTPS and marks the session cookie Secure. */
      tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
      auth: z
        .strictObject({
          /** Dashboard users (tillgate-hub user add); mode 0600, re-read when it changes. */
          usersFile: z.string().min(1).default('.run/hub/users.json'),
          /** 32-byte key sealing session cookies; created on first start. */
          sessionKeyFile: z.string().min(1).default('.run/hub/session.key'),
          /** Secure cookie flag without TLS here: set true behind a TLS-terminating proxy. */
          secureCookies: z.boolean().optional(),
          sessionHours: z
            .number()
            .min(0.1)
            .max(24 * 30)
            .default(12), // h until a login expires
          loginAttemptsPerMinute: z.number().int().min(1).max(1_000).default(10), // per client address
        })
        .prefault({}),
      /** Bearer token of /warehouse/* (the Airflow DAGs' reads and result writes); absent: no such routes. */
      warehouseToken: z.string().min(16, 'use at least 16 characters').optional(),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type HubConfig = z.output<typeof hubConfigSchema>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;

export const HUB_ENV_PREFIX = 'TILLGATE_HUB';

/** Reads the config file (optional) and TILLGATE_HUB__* overrides; throws InvalidConfigError naming the key. */
export function loadHubConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): HubConfig {
  return loadConfig(hubConfigSchema, { ...options, envPrefix: HUB_ENV_PREFIX });
}
