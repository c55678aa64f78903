import { kafkaTopics } from '@tillgate/shared';
import type { KafkaProducer } from '@tillgate/shared/kafka';
import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { toClickHouseTime } from './clickhouse-time.ts';
import type { TopicNames } from './hub-topics.ts';
import type { Rejection } from './message-decoder.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  payload: string;
  rejection: Rejection;
}

/** The code a dead letter carries: a hub-side contract failure, same meaning as at the edge. */
export const contractViolationCode = 'TG_SHARED_CONTRACT_VIOLATION';

/**
 * Records poison messages in the dead-letters topic (for whoever replays or alerts on them) and the
 * dead_letters table (for ops queries). Keyed by the message's Kafka coordinates, which is also the
 * table's ReplacingMergeTree key: a replay after a crash collapses onto the first copy.
 */
export class DeadLetters {
  readonly #client: ClickHouseClient;
  readonly #producer: KafkaProducer;
  readonly #topic: string;
  readonly #group: string;

  constructor(client: ClickHouseClient, producer: KafkaProducer, names: TopicNames, group: string) {
    this.#client = client;
    this.#producer = producer;
    this.#topic = names.full(kafkaTopics.deadLetters);
    this.#group = group;
  }

  async record(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const at = new Date();
    const records = letters.map((letter) => ({
      topic: letter.topic,
      kafka_partition: letter.partition,
      kafka_offset: letter.offset,
      kafka_key: letter.key,
      payload: letter.payload,
      error_code: contractViolationCode,
      field: letter.rejection.field,
      reason: letter.rejection.reason,
      consumer_group: this.#group,
      dead_lettered_at: toClickHouseTime(at),
    }));
    await this.#producer.send(
      records.map((record) => ({
        topic: this.#topic,
        key: `${record.topic}:${record.kafka_partition}:${record.kafka_offset}`,
        value: JSON.stringify(record),
      })),
    );
    try {
      await this.#client.insert({ table: 'dead_letters', values: records, format: 'JSONEachRow' });
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, `cannot record ${records.length} dead letters`, {
        cause: error,
        canRetry: true,
      });
    }
  }
}
