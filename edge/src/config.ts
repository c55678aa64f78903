import { eventAgeLimits, loadConfig } from '@tillgate/shared';
import {
  type KafkaConnectionInput,
  kafkaConnectionKeys,
  kafkaConnectionSchema,
  kafkaConnectionSchemaWith,
} from '@tillgate/shared/kafka';
import { z } from 'zod';
import { refuseExposedSecrets } from './security/config-file-mode.ts';
import { passwordHashPattern } from './security/password-hash.ts';
import { bundledTrustedKeys, updaterConfig, updaterDefaults } from './updater/updater-config.ts';

// The agent's one config schema (STYLE.md "Config"). Every default lives in `defaults` below, with
// its unit; the schema only says what is valid. Loaded from a JSON file plus TILLGATE_EDGE__* env
// overrides by the shared loadConfig, which names the bad key when validation fails.

export const defaults = {
  dataDir: '/var/lib/tillgate-edge',
  logLevel: 'info',
  mqtt: {
    mode: 'embedded',
    host: '127.0.0.1',
    port: 1883,
    tlsPort: 8883, // mqtts listener, when mqtt.tls names a certificate
    // External mode: a fixed client id + persistent session, so the broker keeps unacknowledged
    // QoS 1 messages for the agent while it is down. The store id is appended (tillgate-edge-<store>)
    // unless one is configured: two stores sharing a broker must not take over each other's session.
    clientIdPrefix: 'tillgate-edge',
  },
  intake: {
    // ms a group commit waits after the first message. 0 = the next timer tick: every message aedes
    // parsed from the same socket read (and any other terminal's ready by then) joins the commit;
    // measured (bench/edge-intake.ts, edge-alert-latency.ts): same throughput as 2 ms, shorter tail.
    lingerMs: 0,
    maxBatch: 1_000, // messages per group commit
    maxPayloadBytes: 64 * 1024, // bytes; a 500-line basket is ~40 KiB
    futureToleranceMs: 5 * 60_000, // ms a terminal clock may run ahead of the store PC
    // ms occurred_at may lie before the store PC's clock (a terminal that buffered offline); older is
    // rejected naming occurred_at. At most eventAgeLimits.maxMs (31 days), the hub's own bound.
    maxAgeMs: eventAgeLimits.defaultMs,
  },
  dedupe: {
    // Days an event identity (event_id, terminal_seq, content hash) is remembered after receipt.
    // Must exceed any terminal's re-send horizon; the config refuses less than intake.maxAgeMs +
    // intake.futureToleranceMs, past which a re-send is rejected as too old anyway, so with the
    // defaults every re-send the agent accepts is recognised.
    retentionDays: 14,
    // Bytes the identities may fill in their SQLite pages (measured). ~200 B per identity: 256 MiB holds
    // ~1.3 M, 14 days at ~95,000 events a day. Past it the oldest are forgotten early (counted).
    maxBytes: 256 * 1024 ** 2,
  },
  disk: {
    // bytes SQLite may take on disk (main file + WAL + shm, edge/src/intake/disk-budget.ts); a message
    // whose worst case does not fit is not written (events refused, rejects answered but not kept)
    capBytes: 2 * 1024 ** 3,
    // rows of the rejects table (a ring: the oldest go, counted as dropped); each holds at most 4 KiB
    // of payload, and the config keeps them to a quarter of capBytes so a reject loop cannot crowd out sales
    maxRejects: 10_000,
    // rows of the alerts table (oldest go first, counted; an open SKU's latest alert stays)
    maxAlerts: 50_000,
    sentRetentionMs: 72 * 3_600_000, // ms forwarded rows stay for replay before pruning
    pruneIntervalMs: 60_000, // ms between pruning passes
  },
  kafka: {
    clientId: 'tillgate-edge', // the store id is appended: tillgate-edge-<store> in broker logs and quotas
    // Client-library attempts per send: short, since the outbox keeps everything and the forwarder
    // backs off itself (shared/src/kafka/options.ts).
    retries: 2,
    initialRetryMs: 100, // ms
    batchSize: 1_000, // outbox rows per produce request
    idleMs: 100, // ms the forwarder waits for more rows once caught up (bounds sent-mark fsyncs to ~10/s)
    backoffInitialMs: 200, // ms, first retry delay while Kafka is unreachable
    backoffMaxMs: 30_000, // ms, retry delay ceiling
  },
  heartbeat: { intervalMs: 10_000 }, // ms between heartbeats to edge-heartbeats
  alerts: {
    // raiseAbove (risk that opens an alert) defaults to the model manifest's metrics.alert_threshold,
    // the operating point the training pipeline chose for that model (models/README.md); this is
    // only for a model whose manifest has none.
    fallbackRaiseAbove: 0.7,
    // clearBelow (risk that closes it again) defaults to raiseAbove x this; the gap is the hysteresis.
    clearFactor: 0.6,
    coolDownMs: 15 * 60_000, // ms of event time (occurred_at) an SKU's alert state must hold before it may change
    // Days of scored history before the first alert. 0 so a fresh install alerts out of the box
    // (issue 3); training only scored snapshots from day 28 of a history, and 28 here cut the e2e's
    // false alarms ~10x (bench/results/e2e-alerts.json) — set it on stores that can wait for it.
    warmUpDays: 0,
    // ms of event time between passes that score every SKU, not only those events moved: a shelf
    // emptied without a sale is only seen in its silence (src/alerts/alert-engine.ts). Hourly: 50,000
    // SKUs are one onnxruntime batch of ~30 ms (bench/results/edge-scoring.json: 0.62 µs a row) an hour.
    sweepEveryMs: 3_600_000,
    // Staff answers steer each store's hidden_empty level (src/alerts/feedback-steering.ts): it settles
    // where 80 % of the answered alerts are right, at most 15 % below the release level, 1 % a
    // confirmed alert. Measured in bench/results/alert-quality.json (model vs model_without_feedback).
    feedback: { targetPrecision: 0.8, step: 0.01, maxRelax: 0.15 },
  },
  // gapRefreshMs: ms between walks of the dedupe memory for sequence gaps (GET /status, heartbeats):
  // one walk reads every remembered identity of each terminal's epoch, so not on every status call.
  status: { host: '127.0.0.1', port: 18710, gapRefreshMs: 30_000 },
  updater: updaterDefaults,
} as const;

/** Worst-case bytes of one rejects row: 4 KiB of kept payload plus field, reason and ids. */
const rejectRowBytes = 4_608;

const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'letters, digits, _ . : - (1-64)');
const loopback = z.enum(['127.0.0.1', '::1', 'localhost'], { error: 'must be a loopback address' });
const ms = z.number().int().nonnegative();

/**
 * A terminal's or display's MQTT login. Only a scrypt hash is stored (src/security/password-hash.ts);
 * a plain `password` is refused with the command that makes the hash.
 */
const account = z
  .strictObject({
    id: identifier,
    passwordHash: z
      .string()
      .regex(passwordHashPattern, 'not a tillgate-edge hash-password hash ($scrypt$ln=..,r=..,p=..$salt$hash)')
      .optional(),
    // Listed only to refuse it with a useful message instead of "unrecognized key".
    password: z.unknown().optional(),
  })
  .superRefine((entry, context) => {
    if (entry.password !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['password'],
        message:
          'plain-text passwords are refused; run `tillgate-edge hash-password`, type the password, and put the printed hash in "passwordHash" instead',
      });
    } else if (entry.passwordHash === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['passwordHash'],
        message: 'missing: run `tillgate-edge hash-password` and put its output here',
      });
    }
  })
  .transform(({ id, passwordHash }) => ({ id, passwordHash: passwordHash ?? '' }));

/** PEM certificate chain and private key of the embedded broker's mqtts listener. */
const tls = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  port: z.number().int().min(0).max(65_535).default(defaults.mqtt.tlsPort),
});

const mqtt = z
  .discriminatedUnion('mode', [
    z.strictObject({
      mode: z.literal('embedded'),
      /** The store LAN address POS terminals reach; 0.0.0.0 for all interfaces. */
      host: z.string().min(1).default(defaults.mqtt.host),
      /**
       * Plain MQTT listener; 0 lets the OS pick a free port (tests, benchmarks; RunningAgent.mqttPort
       * tells which), null turns it off when every terminal speaks mqtts.
       */
      port: z.number().int().min(0).max(65_535).nullable().default(defaults.mqtt.port),
      /** mqtts listener (default port 8883) beside or instead of the plain one. */
      tls: tls.optional(),
      /** One account per terminal: a terminal may publish only to its own events topic. */
      terminals: z.array(account).min(1, 'list at least one terminal'),
      /** Accounts that may only read alerts (store displays). */
      displays: z.array(account).default([]),
    }),
    z.strictObject({
      mode: z.literal('external'),
      url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt:// or mqtts:// URL'),
      /** The agent's own account: read on events, write on replies and alerts (deploy/mosquitto). */
      username: z.string().optional(),
      password: z.string().optional(),
      /** PEM file of the CA that signed an mqtts broker's certificate; the system CAs when absent. */
      caFile: z.string().min(1).optional(),
      /** tillgate-edge-<storeId> when absent. */
      clientId: identifier.optional(),
    }),
  ])
  .refine((value) => value.mode === 'external' || value.port !== null || value.tls !== undefined, {
    path: ['port'],
    message: 'with no plain port, mqtt.tls must name a certificate: terminals would have no listener',
  });

export const edgeConfigSchema = z
  .strictObject({
    storeId: identifier,
    dataDir: z.string().min(1).default(defaults.dataDir),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(defaults.logLevel),
    mqtt,
    intake: z
      .strictObject({
        lingerMs: ms.max(100).default(defaults.intake.lingerMs),
        maxBatch: z.number().int().min(1).max(10_000).default(defaults.intake.maxBatch),
        maxPayloadBytes: z.number().int().min(1_024).default(defaults.intake.maxPayloadBytes),
        futureToleranceMs: ms.default(defaults.intake.futureToleranceMs),
        maxAgeMs: ms
          .min(60_000)
          .max(eventAgeLimits.maxMs, `at most ${eventAgeLimits.maxMs} ms (31 days): the hub rejects older events`)
          .default(defaults.intake.maxAgeMs),
        /** File with one known SKU per line; when set, events naming another SKU are rejected. */
        catalogFile: z.string().min(1).nullable().default(null),
      })
      .default({ ...defaults.intake, catalogFile: null }),
    dedupe: z
      .strictObject({
        retentionDays: z.number().positive().max(3_650).default(defaults.dedupe.retentionDays),
        maxBytes: z.number().int().min(1_048_576).default(defaults.dedupe.maxBytes),
      })
      .default(defaults.dedupe),
    disk: z
      .strictObject({
        capBytes: z.number().int().min(1_048_576).default(defaults.disk.capBytes),
        maxRejects: z.number().int().min(10).default(defaults.disk.maxRejects),
        maxAlerts: z.number().int().min(100).default(defaults.disk.maxAlerts),
        sentRetentionMs: ms.default(defaults.disk.sentRetentionMs),
        pruneIntervalMs: z.number().int().min(100).default(defaults.disk.pruneIntervalMs),
      })
      .refine((disk) => disk.maxRejects * rejectRowBytes <= disk.capBytes / 4, {
        message: `rejects may take at most a quarter of capBytes: at most capBytes / ${4 * rejectRowBytes} rows`,
        path: ['maxRejects'],
      })
      .default(defaults.disk),
    /**
     * The shared Kafka connection settings (TLS with a private CA, SASL only over TLS, tunnels), plus
     * the forwarder's own keys.
     */
    kafka: kafkaConnectionSchemaWith({
      clientId: kafkaConnectionSchema.shape.clientId.default(defaults.kafka.clientId),
      /** Prepended to every topic name: a hub that hosts several chains, or isolated test runs. */
      topicPrefix: z
        .string()
        .regex(/^[A-Za-z0-9._-]{0,64}$/, 'letters, digits, . _ - (up to 64)')
        .default(''),
      retries: kafkaConnectionSchema.shape.retries.default(defaults.kafka.retries),
      initialRetryMs: kafkaConnectionSchema.shape.initialRetryMs.default(defaults.kafka.initialRetryMs),
      batchSize: z.number().int().min(1).max(10_000).default(defaults.kafka.batchSize),
      idleMs: z.number().int().min(1).default(defaults.kafka.idleMs),
      backoffInitialMs: z.number().int().min(1).default(defaults.kafka.backoffInitialMs),
      backoffMaxMs: z.number().int().min(1).default(defaults.kafka.backoffMaxMs),
    }),
    heartbeat: z
      .strictObject({ intervalMs: z.number().int().min(100).default(defaults.heartbeat.intervalMs) })
      .default(defaults.heartbeat),
    alerts: z
      .strictObject({
        /** Overrides the model's alert_threshold (src/alerts/alert-levels.ts). */
        raiseAbove: z.number().min(0).max(1).optional(),
        /** Overrides the model's alert_threshold_hidden_empty (default: raiseAbove when that is set here). */
        raiseHiddenEmptyAbove: z.number().min(0).max(1).optional(),
        /** Overrides the lower raise level x defaults.alerts.clearFactor. */
        clearBelow: z.number().min(0).max(1).optional(),
        coolDownMs: ms.default(defaults.alerts.coolDownMs),
        /** Days of event time after the earliest scored event before any alert may be raised (0: none). */
        warmUpDays: z.number().min(0).max(365).default(defaults.alerts.warmUpDays),
        /** 0 turns the pass over silent SKUs off. */
        sweepEveryMs: ms.default(defaults.alerts.sweepEveryMs),
        /** How staff answers steer the hidden_empty level; unused when raiseHiddenEmptyAbove or raiseAbove is set here. */
        feedback: z
          .strictObject({
            targetPrecision: z.number().gt(0).lt(1).default(defaults.alerts.feedback.targetPrecision),
            step: z.number().min(0).max(0.1).default(defaults.alerts.feedback.step),
            /** 0 turns steering off. */
            maxRelax: z.number().min(0).max(0.5).default(defaults.alerts.feedback.maxRelax),
          })
          .default(defaults.alerts.feedback),
      })
      .refine(
        ({ clearBelow, raiseAbove, raiseHiddenEmptyAbove }) =>
          clearBelow === undefined ||
          [raiseAbove, raiseHiddenEmptyAbove].every((raise) => raise === undefined || clearBelow < raise),
        {
          message: 'clearBelow must be below raiseAbove and raiseHiddenEmptyAbove (that gap is the hysteresis)',
          path: ['clearBelow'],
        },
      )
      .default({
        coolDownMs: defaults.alerts.coolDownMs,
        warmUpDays: defaults.alerts.warmUpDays,
        sweepEveryMs: defaults.alerts.sweepEveryMs,
        feedback: defaults.alerts.feedback,
      }),
    model: z
      .strictObject({
        /** Directory with model.onnx + manifest.json + manifest.sig; the bundled default when absent. */
        dir: z.string().min(1).optional(),
        /**
         * The keys allowed to sign models, pinned by id (`ed25519-` + 16 hex of the sha256 of the raw
         * public key; the agent recomputes it from the file and refuses a mismatch). Operator-owned: a
         * release, a rollout or a training run can never add to it. Default: the key of the bundled model.
         */
        trustedKeys: z
          .array(z.strictObject({ id: z.string().regex(/^ed25519-[0-9a-f]{16}$/), file: z.string().min(1) }))
          .min(1, 'pin at least one model signing key')
          .default(bundledTrustedKeys),
      })
      .default({ trustedKeys: bundledTrustedKeys }),
    updater: updaterConfig,
    status: z
      .strictObject({
        host: loopback.default(defaults.status.host),
        port: z.number().int().min(0).max(65_535).default(defaults.status.port),
        gapRefreshMs: z.number().int().min(0).max(3_600_000).default(defaults.status.gapRefreshMs),
      })
      .default(defaults.status),
  })
  .refine(
    // A re-send is either rejected as too old or recognised: the dedupe memory outlives the age bound.
    (config) => config.dedupe.retentionDays * 86_400_000 >= config.intake.maxAgeMs + config.intake.futureToleranceMs,
    {
      message: 'must cover intake.maxAgeMs + intake.futureToleranceMs, or an accepted re-send could be stored twice',
      path: ['dedupe', 'retentionDays'],
    },
  );

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;

/** Loads and validates the config file; refuses one that holds secrets and every user can read. */
export function loadEdgeConfig(file?: string, env?: NodeJS.ProcessEnv): EdgeConfig {
  const config = loadConfig(edgeConfigSchema, {
    ...(file === undefined ? {} : { file }),
    envPrefix: 'TILLGATE_EDGE',
    env,
  });
  if (file !== undefined) refuseExposedSecrets(file, secretKeys(config));
  return config;
}

/** Config keys that hold a credential in clear (the MQTT hashes do not count: they are not logins). */
function secretKeys(config: EdgeConfig): string[] {
  const keys: string[] = [];
  if (config.kafka.sasl !== undefined) keys.push('kafka.sasl.password');
  if (config.mqtt.mode === 'external' && config.mqtt.password !== undefined) keys.push('mqtt.password');
  return keys;
}

/** The part of the kafka section the shared Kafka client takes (the rest is the forwarder's). */
export function kafkaConnection(kafka: EdgeConfig['kafka'], storeId: string): KafkaConnectionInput {
  const connection = Object.fromEntries(
    Object.entries(kafka).filter(([key]) => (kafkaConnectionKeys as string[]).includes(key)),
  ) as KafkaConnectionInput;
  return { ...connection, clientId: `${kafka.clientId}-${storeId}` };
}

/** Validates a config object built in code (tests, the local stack) the same way a file is. */
export const parseEdgeConfig = (input: EdgeConfigInput): EdgeConfig => edgeConfigSchema.parse(input);
