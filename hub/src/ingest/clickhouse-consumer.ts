import type { Logger } from '@tillgate/shared';
import { createConsumer, type EachBatchPayload, type KafkaClient, type KafkaConsumer } from '@tillgate/shared/kafka';
import type { ClickHouseClient } from '../clickhouse.ts';
import type { HubConfig } from '../config.ts';
import { crashPoint } from '../crash-point.ts';
import { toClickHouseTime } from './clickhouse-time.ts';
import { writeRows } from './clickhouse-writer.ts';
import type { DeadLetter, DeadLetters } from './dead-letters.ts';
import { clickhouseTopics, type TopicNames } from './hub-topics.ts';
import { type FencedPartition, MembershipFence } from './membership-fence.ts';
import { decodeMessage } from './message-decoder.ts';
import type { TableRows } from './table-rows.ts';
import { WriteCoalescer } from './write-coalescer.ts';

interface BatchWrite {
  rows: TableRows[];
  letters: DeadLetter[];
  start: FencedPartition;
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

export interface ClickHouseIngestDeps {
  config: HubConfig;
  kafka: KafkaClient;
  clickhouse: ClickHouseClient;
  deadLetters: DeadLetters;
  names: TopicNames;
  logger: Logger;
  /** Told after each write which raw tables got rows (the dashboard's alert feed reads at once). */
  onWritten?: (tables: ReadonlySet<string>) => void;
}

/**
 * The ClickHouse consumer group. One Kafka fetch per partition is one batch (the broker bounds it by
 * size and time, see config ingest.*): validate every message, insert the new events, dead-letter the
 * poison ones, and only then commit the batch's offsets. Partitions of one fetch are processed
 * concurrently and share one write (write-coalescer.ts). A crash anywhere before the commit replays
 * the batch, and the identity filter drops what already landed.
 */
export class ClickHouseIngest {
  readonly #consumer: KafkaConsumer;
  readonly #deps: ClickHouseIngestDeps;
  readonly #log: Logger;
  readonly #writes: WriteCoalescer<BatchWrite>;

  private constructor(consumer: KafkaConsumer, deps: ClickHouseIngestDeps) {
    this.#consumer = consumer;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'clickhouse-ingest' });
    this.#writes = new WriteCoalescer((parts) => this.#write(parts));
  }

  static async start(deps: ClickHouseIngestDeps): Promise<ClickHouseIngest> {
    const { ingest } = deps.config;
    const consumer = createConsumer(deps.kafka, {
      groupId: ingest.groupId,
      tuning: {
        minBytes: ingest.minBatchBytes,
        maxBytesPerPartition: ingest.maxBatchBytes,
        maxWaitTimeInMs: ingest.maxWaitMs,
        sessionTimeout: ingest.sessionTimeoutMs,
      },
    });
    const ingestion = new ClickHouseIngest(consumer, deps);
    await consumer.connect();
    await consumer.subscribe({ topics: clickhouseTopics.map((topic) => deps.names.full(topic)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: ingest.partitionsConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => ingestion.#ingestBatch(payload),
    });
    return ingestion;
  }

  async #ingestBatch({
    batch,
    resolveOffset,
    heartbeat,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const topic = this.#deps.names.base(batch.topic);
    if (topic === undefined || batch.messages.length === 0 || isStale()) return;
    const ingestedAt = toClickHouseTime(new Date());
    const rows: TableRows[] = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      const origin = { partition: batch.partition, offset: message.offset, ingestedAt };
      const decoded = decodeMessage(topic, message.value, origin);
      if (decoded.ok) {
        rows.push(decoded.rows);
        continue;
      }
      letters.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? '',
        payload: message.value?.toString('utf8') ?? '',
        rejection: decoded.rejection,
      });
    }
    const start = { topic: batch.topic, partition: batch.partition, offset: batch.firstOffset() ?? '0' };
    await this.#writes.submit({ rows, letters, start, commit: commitOffsetsIfNecessary });
    crashPoint('after-clickhouse-insert');
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    // The batch's own commit, not consumer.commitOffsets: that one wraps a lost membership
    // (UNKNOWN_MEMBER_ID after a session timeout on a loaded machine) in a non-retriable error that
    // crashes the consumer for good, while this one lets the broker's error reach the client's run
    // loop, which re-joins the group; the batch is fetched again and the identity filter drops what landed.
    await commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
    });
    resolveOffset(batch.lastOffset());
    await heartbeat();
    if (letters.length > 0) {
      this.#log.warn(
        { topic: batch.topic, partition: batch.partition, dead: letters.length },
        'messages dead-lettered',
      );
    }
  }

  /** One write for the batches of all partitions that reached this point together. */
  async #write(parts: BatchWrite[]): Promise<void> {
    const [first] = parts;
    if (first === undefined) return;
    const fence = new MembershipFence(
      first.commit,
      parts.map((part) => part.start),
      this.#deps.config.ingest.sessionTimeoutMs,
    );
    const written = await writeRows(
      this.#deps.clickhouse,
      parts.flatMap((part) => part.rows),
      fence,
    ).catch((error: unknown) => {
      if ((error as { type?: string }).type !== undefined) {
        this.#log.warn(
          { err: error, batches: parts.length },
          'write fenced: the group moved these partitions; re-joining',
        );
      }
      throw error;
    });
    await this.#deps.deadLetters.record(parts.flatMap((part) => part.letters));
    this.#log.debug({ batches: parts.length, ...written }, 'batches written');
    this.#deps.onWritten?.(new Set(parts.flatMap((part) => part.rows.map((rows) => rows.table))));
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
