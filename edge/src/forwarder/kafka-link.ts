import {
  createKafkaClient,
  type KafkaClient,
  type KafkaConnectionInput,
  type KafkaLogSink,
  KafkaProducer,
} from '@tillgate/shared/kafka';

// The agent's only way to Kafka, over the shared seam (shared/src/kafka) so the client library can
// be replaced in one place (MISSION.md "Decisions").

export interface LinkRecord {
  topic: string;
  key: string;
  value: string;
  timestamp: number;
}

/**
 * An idempotent producer (acks=all, gzip) that is rebuilt from scratch after any failure: the
 * forwarder owns retries with its own backoff, and a fresh producer after an outage avoids a
 * half-open connection. Sends are serialised (forwarder and heartbeats share the producer): one
 * request at a time keeps the idempotent sequence numbers simple. Re-sending after a failure may
 * duplicate records the broker had written but not acknowledged; the hub dedupes by event_id.
 */
export class KafkaLink {
  readonly #client: KafkaClient;
  readonly #topicPrefix: string;
  #producer: KafkaProducer | null = null;
  #tail: Promise<unknown> = Promise.resolve();

  /** `connection` is validated again by createKafkaClient; `topicPrefix` goes before every topic name. */
  constructor(connection: KafkaConnectionInput, topicPrefix: string, log?: KafkaLogSink) {
    this.#topicPrefix = topicPrefix;
    this.#client = createKafkaClient(connection, log === undefined ? {} : { log });
  }

  send(records: readonly LinkRecord[]): Promise<void> {
    const run = this.#tail.then(() => this.#send(records));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #send(records: readonly LinkRecord[]): Promise<void> {
    const producer = await this.#connected();
    try {
      await producer.send(records.map((record) => ({ ...record, topic: this.#topicPrefix + record.topic })));
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  /** Connects now (doctor) instead of at the first send. */
  async connect(): Promise<void> {
    await this.#connected();
  }

  async #connected(): Promise<KafkaProducer> {
    if (this.#producer !== null) return this.#producer;
    const producer = new KafkaProducer(this.#client);
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.#producer = producer;
    return producer;
  }

  async reset(): Promise<void> {
    const producer = this.#producer;
    this.#producer = null;
    await producer?.disconnect().catch(() => undefined);
  }
}
