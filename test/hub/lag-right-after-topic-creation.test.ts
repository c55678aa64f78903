import { clickhouseTopics, consumerLag } from '@tillgate/hub';
import { describe, expect, it } from 'vitest';
import { ensureTestTopics, hubTestEnv, kafkaFor } from './hub-test-kit.ts';

// Regression (issue 15 item 9): on a loaded machine the broker answered ListOffsets for a topic
// created a moment before with NOT_LEADER_OR_FOLLOWER (and metadata with UNKNOWN_TOPIC_OR_PARTITION),
// and consumerLag, so GET /lag, passed it straight up. The window only opens on a brand-new topic,
// so every round makes its own topics and asks for the lag at once. Before the fix 29 of 30 such
// rounds failed under a CPU hog.
describe('consumer lag right after topic creation', () => {
  it('answers for topics created a moment ago, round after round', async () => {
    for (let round = 0; round < 6; round++) {
      const env = hubTestEnv();
      try {
        await ensureTestTopics(env);
        const lag = await consumerLag(
          kafkaFor(env.config),
          env.config.ingest.groupId,
          clickhouseTopics.map((topic) => env.names.full(topic)),
        );
        expect(lag.totalLag).toBe(0);
        expect(lag.partitions).toHaveLength(clickhouseTopics.length * env.config.topics.partitions);
      } finally {
        await env.cleanup();
      }
    }
  });
});
