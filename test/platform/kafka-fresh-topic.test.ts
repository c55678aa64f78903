import { randomUUID } from 'node:crypto';
import { createKafkaClient, ensureTopics, fetchGroupOffsets, KafkaProducer } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, describe, expect, it } from 'vitest';

// Regression (issue 15 item 9): on a loaded machine a topic created a moment ago was not usable yet
// when ensureTopics returned. The library's waitForLeaders gave up on the broker's
// UNKNOWN_TOPIC_OR_PARTITION (ensureTopics failed: 29 of 30 rounds under a CPU hog), and ListOffsets
// answered NOT_LEADER_OR_FOLLOWER. Each round makes fresh topics, then produces and reads offsets at once.
const client = createKafkaClient({ brokers: localStack.kafka.brokers, clientId: 'tillgate-fresh-topic-test' });
const created: string[] = [];

describe('a topic is usable as soon as ensureTopics returns', () => {
  afterAll(async () => {
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: created });
    } finally {
      await admin.disconnect();
    }
  });

  it('takes records and reports offsets at once, round after round', async () => {
    const producer = new KafkaProducer(client, { compression: 'none' });
    await producer.connect();
    try {
      for (let round = 0; round < 6; round++) {
        const topics = [0, 1, 2].map((index) => `tg-test-fresh-${index}-${randomUUID()}`);
        created.push(...topics);
        await ensureTopics(client, topics, { partitions: 6, replicationFactor: 1 });
        await producer.send(topics.map((topic) => ({ topic, key: 'store-1', value: `round ${round}` })));
        const offsets = await fetchGroupOffsets(client, `tg-test-fresh-${randomUUID()}`, topics);
        expect(offsets).toHaveLength(18);
        expect(offsets.reduce((sum, { high }) => sum + Number(high), 0)).toBe(3);
        expect(offsets.every(({ committed }) => committed === null)).toBe(true);
      }
    } finally {
      await producer.disconnect();
    }
  });
});
