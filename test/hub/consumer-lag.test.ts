import { clickhouseTopics, consumerLag, type RunningHub, startHub } from '@tillgate/hub';
import { kafkaTopics } from '@tillgate/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedDataset } from './fixed-dataset.ts';
import { type HubTestEnv, hubTestEnv, kafkaFor, produce, waitForCaughtUp } from './hub-test-kit.ts';

// Lag per group = log end - committed offset, against the real broker.
describe('consumer lag', () => {
  let env: HubTestEnv;
  let hub: RunningHub | undefined;

  beforeAll(async () => {
    env = hubTestEnv();
    await produce(env, fixedDataset);
  });

  afterAll(async () => {
    await hub?.stop();
    await env?.cleanup();
  });

  const lag = () =>
    consumerLag(
      kafkaFor(env.config),
      env.config.ingest.groupId,
      clickhouseTopics.map((topic) => env.names.full(topic)),
    );

  it('counts every produced message before the group ever ran', async () => {
    const before = await lag();
    expect(before.totalLag).toBe(fixedDataset.length);
    const sales = before.partitions.filter((entry) => entry.topic === env.names.full(kafkaTopics.salesTransactions));
    expect(sales.every((entry) => entry.committed === null)).toBe(true);
  });

  it('drops to zero once the ClickHouse group caught up', async () => {
    hub = await startHub(env.config, { clickhouse: true, lake: false, api: false });
    await waitForCaughtUp(env, 'clickhouse');
    expect((await lag()).totalLag).toBe(0);
  });
});
