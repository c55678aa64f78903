import { kafkaTopics } from '@tillgate/shared';
import { afterAll, expect, test } from 'vitest';
import { ensureTestTopics, type HubTestEnv, hubTestEnv, kafkaFor } from './hub-test-kit.ts';

// Regression: the model_training DAG's first release on the local stack was written to the registry
// but its modelRelease could not be announced (UNKNOWN_TOPIC_OR_PART): the hub created every topic it
// reads and writes except model-releases, and the broker does not auto-create topics. The hub owns the
// topic layout (partitions, replication), so it creates model-releases too.
const env: HubTestEnv = hubTestEnv();
afterAll(() => env.cleanup());

test('the hub creates the model-releases topic the registry publisher announces on', async () => {
  await ensureTestTopics(env);

  const admin = kafkaFor(env.config).admin();
  await admin.connect();
  try {
    expect(await admin.listTopics()).toContain(env.names.full(kafkaTopics.modelReleases));
  } finally {
    await admin.disconnect();
  }
});
