import type { KafkaClient } from '@tillgate/shared/kafka';

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
 * begin). Topics that do not exist yet count as no lag.
 */
export async function consumerLag(kafka: KafkaClient, groupId: string, topics: readonly string[]): Promise<GroupLag> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    const committed = await admin.fetchOffsets({ groupId, topics: present });
    const partitions: PartitionLag[] = [];
    for (const topic of present) {
      const ends = await admin.fetchTopicOffsets(topic);
      const group = committed.find((entry) => entry.topic === topic);
      for (const { partition, high, low } of ends) {
        const offset = group?.partitions.find((entry) => entry.partition === partition)?.offset ?? '-1';
        const from = offset === '-1' ? BigInt(low) : BigInt(offset);
        partitions.push({
          topic,
          partition,
          committed: offset === '-1' ? null : offset,
          end: high,
          lag: Number(BigInt(high) - from),
        });
      }
    }
    return { groupId, totalLag: partitions.reduce((sum, entry) => sum + entry.lag, 0), partitions };
  } finally {
    await admin.disconnect();
  }
}
