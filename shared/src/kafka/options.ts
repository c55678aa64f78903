import { z } from 'zod';
import { issuePath } from '../zod-issue-path.ts';
import { KafkaConfigError } from './errors.ts';

// Connection settings, the part of an app's config that says how to reach Kafka. Apps embed
// `kafkaConnectionSchema` in their own config schema (so `loadConfig` names a bad key with its full
// path), and `createKafkaClient` validates again so no unvalidated settings reach the client.

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'expected "host:port", e.g. "10.0.0.5:9092"');

const secret = z.string().min(1, 'must not be empty');

/** SASL as Kafka brokers offer it; credentials come from the app's config file or environment. */
const saslSchema = z.discriminatedUnion('mechanism', [
  z.strictObject({ mechanism: z.literal('plain'), username: secret, password: secret }),
  z.strictObject({ mechanism: z.literal('scram-sha-256'), username: secret, password: secret }),
  z.strictObject({ mechanism: z.literal('scram-sha-512'), username: secret, password: secret }),
]);

const tlsSchema = z.strictObject({
  /** PEM file of the CA that signed the brokers' certificates; the system CAs when absent. */
  caFile: z.string().min(1).optional(),
  /** Host name checked against the broker certificate when the brokers are reached by IP. */
  servername: z.string().min(1).optional(),
});

const connectionShape = {
  brokers: z.array(hostPort).min(1, 'list at least one broker as "host:port"'),
  /** Shows in broker logs and quotas; the edge uses its store id so ops can tell stores apart. */
  clientId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'use 1-128 letters, digits, ".", "_" or "-"'),
  /** TLS to the brokers: `true` trusts the system CAs, an object names a private CA. */
  ssl: z.union([z.boolean(), tlsSchema]).default(false),
  sasl: saslSchema.optional(),
  /**
   * Broker address -> local address to dial instead, for every connection: the bootstrap one AND
   * those to the addresses brokers advertise in metadata (which a plain TCP forwarder would miss).
   * For a tunnel per broker (ssh/stunnel), or the per-store WAN proxy of the simulators. TLS still
   * verifies the broker's own name.
   */
  tunnels: z.record(hostPort, hostPort).optional(),
  connectionTimeoutMs: z.number().int().min(100).max(60_000).default(3_000), // ms, per TCP/TLS connect
  requestTimeoutMs: z.number().int().min(1_000).max(300_000).default(30_000), // ms, per request
  /**
   * Attempts per operation (connect, send, admin call) before it fails with canRetry, backing off
   * from initialRetryMs doubling up to 30 s: about 10 s in all with the defaults. Bounded on purpose:
   * the edge's outbox keeps unsent events and tries again later, so a send must not hang for the
   * whole of a WAN outage (the library's default for idempotent producers retries forever).
   */
  retries: z.number().int().min(1).max(100).default(5),
  initialRetryMs: z.number().int().min(10).max(60_000).default(300), // ms, first back-off
  /** Lowest client-library level handed to the log sink; library output never goes to the console. */
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('warn'),
};

/**
 * The connection settings with an app's own keys beside them (the edge's forwarder settings) or
 * other defaults for some of them (the edge's client id), under the same rules: one definition of
 * what a valid Kafka connection is, whoever embeds it.
 */
export function kafkaConnectionSchemaWith<Extra extends z.ZodRawShape>(extra: Extra) {
  // A spread of a generic is typed as an intersection, which would make an overridden key's type `never`.
  const shape = { ...connectionShape, ...extra } as Omit<typeof connectionShape, keyof Extra> & Extra;
  return z
    .strictObject(shape)
    .refine((value: { sasl?: unknown; ssl?: unknown }) => value.sasl === undefined || value.ssl !== false, {
      path: ['sasl'],
      message: 'SASL without TLS would send the password in clear text; set "ssl" too',
    });
}

export const kafkaConnectionSchema = kafkaConnectionSchemaWith({});

/** The connection keys, for an app that embeds them to take its own part back out. */
export const kafkaConnectionKeys = Object.keys(connectionShape) as (keyof typeof connectionShape)[];

export type KafkaConnectionInput = z.input<typeof kafkaConnectionSchema>;
export type KafkaConnection = z.output<typeof kafkaConnectionSchema>;

export function parseKafkaConnection(input: unknown): KafkaConnection {
  const parsed = kafkaConnectionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new KafkaConfigError(
    issue === undefined ? '(kafka)' : issuePath(issue, '(kafka)'),
    issue?.message ?? 'invalid',
  );
}
