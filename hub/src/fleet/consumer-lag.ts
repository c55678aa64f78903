import { fetchGroupOffsets, type KafkaClient } from '@tillgate/shared/kafka';

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}

export interface GroupLag {
  groupId: string;
  totalLag: number;
  partitions: PartitionLag[];
}

/**
 * How far a consumer group is behind: per partition, the log end offset minus the group's committed
 * offset (minus the log start when the group never committed there, since that is where it would
 * begin). Topics that do not exist yet count as no lag. Transient broker errors (a topic created a
 * moment ago) are retried in the Kafka seam, so GET /lag does not fail on them.
 */
export async function consumerLag(kafka: KafkaClient, groupId: string, topics: readonly string[]): Promise<GroupLag> {
  const partitions = (await fetchGroupOffsets(kafka, groupId, topics)).map(
    ({ topic, partition, committed, low, high }): PartitionLag => ({
      topic,
      partition,
      committed,
      end: high,
      lag: Number(BigInt(high) - BigInt(committed ?? low)),
    }),
  );
  return { groupId, totalLag: partitions.reduce((sum, entry) => sum + entry.lag, 0), partitions };
}
