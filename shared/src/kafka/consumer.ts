import type { Consumer, Kafka } from 'kafkajs';
import { KafkaConfigError } from './errors.ts';

export interface ConsumerOptions {
  /** One group per consuming job (ingest, archive, fleet state); members of a group share partitions. */
  groupId: string;
  /**
   * Fetch batching: the broker answers when `minBytes` are ready or `maxWaitTimeInMs` passed, with at
   * most `maxBytesPerPartition` per partition. Consumers that write in batches (the hub's ClickHouse
   * ingest) size their batches here, with Kafka's own size + time bound, instead of re-buffering.
   * `sessionTimeout` (ms) is how long a crashed member holds its partitions before the group moves them.
   */
  tuning?: { minBytes?: number; maxBytesPerPartition?: number; maxWaitTimeInMs?: number; sessionTimeout?: number };
}

/**
 * A consumer in the classic group protocol. It never creates topics: they come from ensureTopics with
 * their configured partition counts, and a typo in a subscription must fail, not make an empty topic.
 */
export function createConsumer(client: Kafka, options: ConsumerOptions): Consumer {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(options.groupId)) {
    throw new KafkaConfigError('groupId', `"${options.groupId}" must be 1-249 letters, digits, ".", "_" or "-"`);
  }
  return client.consumer({ ...options.tuning, groupId: options.groupId, allowAutoTopicCreation: false });
}
