import type { Logger } from '@tillgate/shared';
import { type KafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import { ModelRegistry } from '@tillgate/shared/registry';
import type { ClickHouseClient } from '../clickhouse.ts';
import type { HubConfig } from '../config.ts';
import { createS3Client } from '../lake/s3-client.ts';
import { AssignmentPublisher } from './assignment-publisher.ts';
import { RolloutController } from './rollout-controller.ts';
import { RolloutStore } from './rollout-store.ts';

/** The rollout controller beside the API (same process: it reads ClickHouse, which chDB binds to one). */
export async function startRollouts(
  config: HubConfig,
  kafka: KafkaClient,
  clickhouse: ClickHouseClient,
  log: Logger,
): Promise<{ controller: RolloutController; stop(): Promise<void> }> {
  const s3 = createS3Client(config.lake.s3);
  const producer = new KafkaProducer(kafka);
  await producer.connect();
  const registry = new ModelRegistry(s3, config.rollouts.bucket);
  const publisher = new AssignmentPublisher({
    registry,
    s3,
    bucket: config.rollouts.bucket,
    producer,
    topicPrefix: config.topicPrefix,
    urlSeconds: config.rollouts.urlSeconds,
  });
  const controller = new RolloutController(
    new RolloutStore(clickhouse),
    registry,
    publisher,
    log.child({ component: 'rollouts' }),
  );
  await controller.start(config.rollouts.tickMs);
  return {
    controller,
    async stop() {
      await controller.stop();
      await producer.disconnect();
    },
  };
}
