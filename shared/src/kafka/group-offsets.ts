import type { Kafka } from 'kafkajs';
import { withAdmin } from './admin-session.ts';
import { KafkaError, kafkaErrorCodes } from './errors.ts';
import { retryTransient } from './retry.ts';

/** Where a consumer group stands on one partition, and the partition's own bounds. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** The group's committed offset (the next one it reads); null when it never committed here. */
  committed: string | null;
  /** Log start offset: where a group without a commit begins. */
  low: string;
  /** Log end offset (high watermark). */
  high: string;
}

/**
 * The group's committed offsets and each partition's bounds, for the topics that exist (a topic not
 * created yet has no partitions to report). Transient broker errors, such as a topic created a
 * moment ago whose leader is not serving yet, are retried with back-off (retry.ts); the rest reject
 * with KafkaError.
 */
export async function fetchGroupOffsets(
  client: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionOffsets[]> {
  try {
    return await retryTransient(() =>
      withAdmin(client, 'read consumer offsets', async (admin) => {
        const existing = new Set(await admin.listTopics());
        const present = [...new Set(topics)].filter((topic) => existing.has(topic));
        const committed = await admin.fetchOffsets({ groupId, topics: present });
        const bounds = await Promise.all(present.map((topic) => admin.fetchTopicOffsets(topic)));
        return present.flatMap((topic, index) => {
          const group = committed.find((entry) => entry.topic === topic);
          return (bounds[index] ?? []).map(({ partition, low, high }) => {
            const offset = group?.partitions.find((entry) => entry.partition === partition)?.offset ?? '-1';
            return { topic, partition, committed: offset === '-1' ? null : offset, low, high };
          });
        });
      }),
    );
  } catch (error) {
    if (error instanceof KafkaError) throw error;
    throw KafkaError.wrap(kafkaErrorCodes.offsetsFailed, `cannot read the offsets of group ${groupId}`, error);
  }
}
