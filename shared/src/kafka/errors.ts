import { TillgateError, type TillgateErrorOptions } from '../errors.ts';

// The codes of the Kafka seam, one closed list. They live beside the module (not in ../errors.ts) so
// replacing the client library replaces this folder and nothing else.
export const kafkaErrorCodes = {
  /** Connection settings or an argument (partitions, group id, topic name) are invalid; see `key`. */
  invalidConfig: 'TG_SHARED_KAFKA_INVALID_CONFIG',
  /** No broker answered, or TLS / SASL was refused. */
  connectFailed: 'TG_SHARED_KAFKA_CONNECT_FAILED',
  /** Creating or describing topics failed at the broker. */
  topicSetupFailed: 'TG_SHARED_KAFKA_TOPIC_SETUP_FAILED',
  /** A topic exists with another partition count than the one asked for. */
  topicMismatch: 'TG_SHARED_KAFKA_TOPIC_MISMATCH',
  /** Reading a consumer group's committed offsets or the partitions' bounds failed. */
  offsetsFailed: 'TG_SHARED_KAFKA_OFFSETS_FAILED',
  /** The broker did not acknowledge a produce request (acks=all). */
  sendFailed: 'TG_SHARED_KAFKA_SEND_FAILED',
} as const;

export type KafkaErrorCode = (typeof kafkaErrorCodes)[keyof typeof kafkaErrorCodes];

export class KafkaError extends TillgateError {
  declare readonly code: KafkaErrorCode;

  constructor(code: KafkaErrorCode, message: string, options: TillgateErrorOptions = {}) {
    super(code, message, options);
  }

  /**
   * Wraps a client-library error. `canRetry` comes from the innermost error that says whether it is
   * retriable: the library reports "retries exhausted" as final even when its cause, a broker that
   * is down, may well be back later — which is exactly what the edge's outbox needs to know.
   */
  static wrap(code: KafkaErrorCode, what: string, error: unknown): KafkaError {
    const reason = error instanceof Error ? error.message : String(error);
    return new KafkaError(code, `${what}: ${reason}`, { cause: error, canRetry: innermostRetriable(error) });
  }
}

/** Settings that cannot work; `key` names the offending setting, e.g. `brokers.0` or `partitions`. */
export class KafkaConfigError extends KafkaError {
  readonly key: string;

  constructor(key: string, message: string) {
    super(kafkaErrorCodes.invalidConfig, `invalid Kafka setting "${key}": ${message}`);
    this.key = key;
  }
}

function innermostRetriable(error: unknown): boolean {
  let verdict = false;
  let current: unknown = error;
  // Bounded walk: cause chains are short, and a cyclic one must not hang error handling.
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    const retriable = (current as { retriable?: unknown }).retriable;
    if (typeof retriable === 'boolean') verdict = retriable;
    current = current.cause;
  }
  return verdict;
}
