import type { Logger } from '@tillgate/shared';
import { createConsumer, type EachBatchPayload, type KafkaClient, type KafkaConsumer } from '@tillgate/shared/kafka';
import type { Client as S3Client } from 'minio';
import type { HubConfig } from '../config.ts';
import { crashPoint } from '../crash-point.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { lakeTopics, type TopicNames } from '../ingest/hub-topics.ts';
import { validateMessage } from '../ingest/message-decoder.ts';
import { lakeObjectName } from './object-name.ts';
import { encodeParquet } from './parquet-encoder.ts';
import { PartitionBuffer } from './partition-buffer.ts';

/** Wait between attempts to write a partition's files while S3 fails (ms). */
const retryAfterMs = 1_000;

export interface LakeArchiverDeps {
  config: HubConfig;
  kafka: KafkaClient;
  s3: S3Client;
  names: TopicNames;
  logger: Logger;
}

/**
 * The lake consumer group: archives events and alerts as Parquet in S3. Messages accumulate per
 * partition until `lake.rotateBytes` or `lake.rotateMs`, then that partition's files are uploaded and
 * its offset committed. Poison messages are skipped here: the ClickHouse group dead-letters them.
 */
export class LakeArchiver {
  readonly #consumer: KafkaConsumer;
  readonly #deps: LakeArchiverDeps;
  readonly #log: Logger;
  readonly #buffers = new Map<string, PartitionBuffer>();
  /** Partitions whose last flush failed: fetching stops until their files are written. */
  readonly #paused = new Map<string, number>(); // key -> when to try again (ms since epoch)
  #serial: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  private constructor(consumer: KafkaConsumer, deps: LakeArchiverDeps) {
    this.#consumer = consumer;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'lake-archiver' });
  }

  static async start(deps: LakeArchiverDeps): Promise<LakeArchiver> {
    const { lake } = deps.config;
    if (!(await deps.s3.bucketExists(lake.bucket))) await deps.s3.makeBucket(lake.bucket, lake.s3.region);
    const consumer = createConsumer(deps.kafka, {
      groupId: lake.groupId,
      tuning: { sessionTimeout: lake.sessionTimeoutMs },
    });
    const archiver = new LakeArchiver(consumer, deps);
    // After a rebalance the client fetches from the committed offsets again, so what was buffered but
    // not committed will come back; keeping it would archive it twice.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      void archiver.#exclusive(async () => {
        archiver.#buffers.clear();
        for (const key of archiver.#paused.keys()) {
          const [topic = '', partition = '0'] = key.split('\u0000');
          consumer.resume([{ topic, partitions: [Number(partition)] }]);
        }
        archiver.#paused.clear();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: lakeTopics.map((topic) => deps.names.full(topic)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => archiver.#exclusive(() => archiver.#archiveBatch(payload)),
    });
    const tick = Math.max(50, Math.min(1_000, Math.floor(lake.rotateMs / 4)));
    archiver.#timer = setInterval(() => {
      void archiver
        .#exclusive(() => archiver.#flushExpired())
        .catch((error: unknown) => {
          archiver.#log.error({ err: error }, 'lake flush failed; the files will be written again after a restart');
        });
    }, tick);
    return archiver;
  }

  /** eachBatch, the rotation timer and rebalances touch the buffers one at a time. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work, work);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #archiveBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const topic = this.#deps.names.base(batch.topic);
    if (topic === undefined || isStale()) return;
    const key = `${batch.topic}\u0000${batch.partition}`;
    let buffer = this.#buffers.get(key);
    if (buffer === undefined) {
      buffer = new PartitionBuffer(Date.now());
      this.#buffers.set(key, buffer);
    }
    for (const message of batch.messages) {
      const decoded = validateMessage(topic, message.value);
      if (decoded.ok) {
        const occurredAtMs = Date.parse(decoded.occurredAt);
        buffer.add(new Date(occurredAtMs).toISOString().slice(0, 10), {
          id: decoded.id,
          type: decoded.type,
          storeId: decoded.storeId,
          occurredAtMs,
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          payload: message.value?.toString('utf8') ?? '',
        });
      }
      buffer.consumed(message.offset);
      resolveOffset(message.offset);
    }
    if (buffer.bytes >= this.#deps.config.lake.rotateBytes)
      await this.#flush(batch.topic, batch.partition, key, buffer);
    await heartbeat();
  }

  async #flushExpired(): Promise<void> {
    const now = Date.now();
    for (const [key, buffer] of this.#buffers) {
      if (now - buffer.openedAt < this.#deps.config.lake.rotateMs) continue;
      if ((this.#paused.get(key) ?? 0) > now) continue;
      const [topic = '', partition = '0'] = key.split('\u0000');
      await this.#flush(topic, Number(partition), key, buffer);
    }
  }

  /**
   * Uploads a partition's files, then commits past them. On failure (S3 down) the buffer stays and the
   * partition is paused, so nothing after the failed files can be committed, and the rotation timer
   * tries again on its next tick; the same keys are overwritten when it succeeds.
   */
  async #flush(topic: string, partition: number, key: string, buffer: PartitionBuffer): Promise<void> {
    try {
      await this.#write(topic, partition, buffer);
    } catch (error) {
      if (!this.#paused.has(key)) this.#consumer.pause([{ topic, partitions: [partition] }]);
      this.#paused.set(key, Date.now() + retryAfterMs);
      this.#log.error({ err: error, topic, partition }, 'lake flush failed; partition paused until a retry succeeds');
      return;
    }
    this.#buffers.delete(key);
    if (this.#paused.delete(key)) this.#consumer.resume([{ topic, partitions: [partition] }]);
  }

  async #write(topic: string, partition: number, buffer: PartitionBuffer): Promise<void> {
    const { bucket, prefix } = this.#deps.config.lake;
    if (buffer.lastOffset === undefined) return;
    for (const group of buffer.groups()) {
      const name = lakeObjectName({
        prefix,
        topic,
        date: group.date,
        storeId: group.storeId,
        partition,
        firstOffset: group.firstOffset,
      });
      const bytes = Buffer.from(encodeParquet(group.rows));
      try {
        await this.#deps.s3.putObject(bucket, name, bytes, bytes.length, {
          'Content-Type': 'application/vnd.apache.parquet',
        });
      } catch (error) {
        throw new HubError(hubErrorCodes.lake, `cannot upload ${name} to bucket ${bucket}`, {
          cause: error,
          canRetry: true,
        });
      }
    }
    crashPoint('after-lake-upload');
    const next = (BigInt(buffer.lastOffset) + 1n).toString();
    await this.#consumer.commitOffsets([{ topic, partition, offset: next }]);
    this.#log.debug({ topic, partition, files: buffer.groups().length, next }, 'lake files written');
  }

  /**
   * Writes what is buffered, so a clean shutdown leaves little to replay, then leaves the group. A
   * batch that slips in after the final flush is simply not committed and comes back on the next start.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#exclusive(async () => {
      for (const [key, buffer] of [...this.#buffers]) {
        const [topic = '', partition = '0'] = key.split('\u0000');
        await this.#flush(topic, Number(partition), key, buffer);
      }
    });
    await this.#consumer.disconnect();
  }
}
