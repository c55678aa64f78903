import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { KafkaError, kafkaErrorCodes } from './errors.ts';

/** One record to publish. A key is required: it picks the partition, so it keeps one store's SKU in order. */
export interface OutgoingRecord {
  topic: string;
  key: string | Buffer;
  value: string | Buffer;
  headers?: Record<string, string | Buffer>;
  /** Event time in ms since the epoch; the time of the send when absent. */
  timestamp?: number;
}

/** Where a batch landed: the first offset written to one topic-partition. */
export interface ProducedBatch {
  topic: string;
  partition: number;
  baseOffset: string;
}

export interface ProducerOptions {
  /**
   * gzip by default: the edge sends small JSON events over store WAN links, and a batch of 500 sale
   * events (shared/examples/sale.json with unique ids and SKUs) shrinks 12x, 188 kB to 16 kB. gzip is
   * the one codec the client library has built in (snappy, lz4 and zstd need native add-ons).
   * 'none' for loopback benchmarks against Kafka's own perf tool.
   */
  compression?: 'gzip' | 'none';
}

/**
 * An idempotent producer with acks from all in-sync replicas, the only setting under which an
 * acknowledged sale can't be lost or doubled by a broker failover. Sends retry as the client's
 * `retries` says (the library warns that bounded retries weaken idempotence). A failed send rolls its
 * sequence numbers back: resending exactly the same records is deduplicated by the broker even if
 * the first attempt did land; to send other records after a failure, make a new producer first (the
 * hub deduplicates by event_id across producers).
 */
export class KafkaProducer {
  readonly #producer: Producer;
  readonly #compression: CompressionTypes;

  constructor(client: Kafka, options: ProducerOptions = {}) {
    this.#compression = options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
    this.#producer = client.producer({
      idempotent: true,
      // Idempotence allows at most 5 in-flight requests per connection; this client also serialises an
      // idempotent producer's requests per broker behind a lock, so more than 1 would buy nothing.
      maxInFlightRequests: 1,
      // Murmur2, as the Java client: a key lands on the same partition whoever produced it.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    try {
      await this.#producer.connect();
    } catch (error) {
      throw KafkaError.wrap(kafkaErrorCodes.connectFailed, 'cannot connect the Kafka producer', error);
    }
  }

  /** Resolves once every record is acknowledged by all in-sync replicas; rejects with KafkaError. */
  async send(records: readonly OutgoingRecord[]): Promise<ProducedBatch[]> {
    if (records.length === 0) return [];
    const byTopic = new Map<string, Message[]>();
    for (const { topic, key, value, headers, timestamp } of records) {
      const message: Message = { key, value };
      if (headers !== undefined) message.headers = headers;
      if (timestamp !== undefined) message.timestamp = String(timestamp);
      const messages = byTopic.get(topic) ?? [];
      messages.push(message);
      byTopic.set(topic, messages);
    }
    try {
      const metadata = await this.#producer.sendBatch({
        acks: -1,
        compression: this.#compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      return metadata.map(({ topicName, partition, baseOffset }) => ({
        topic: topicName,
        partition,
        baseOffset: baseOffset ?? '-1',
      }));
    } catch (error) {
      const topics = [...byTopic.keys()].join(', ');
      throw KafkaError.wrap(
        kafkaErrorCodes.sendFailed,
        `Kafka did not acknowledge ${records.length} records to ${topics}`,
        error,
      );
    }
  }

  async disconnect(): Promise<void> {
    await this.#producer.disconnect();
  }
}
