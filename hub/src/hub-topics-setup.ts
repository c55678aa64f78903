import { type KafkaTopic, kafkaTopicConfigs, kafkaTopics } from '@tillgate/shared';
import { ensureTopics, type KafkaClient, type TopicLayout } from '@tillgate/shared/kafka';
import { clickhouseTopics, lakeTopics, type TopicNames } from './ingest/hub-topics.ts';

/**
 * Creates the topics the hub reads and writes when missing, and model-releases, which the registry
 * publisher (model_training DAG) announces on: a broker without auto-create refuses a topic nobody made.
 * ensureTopics waits until their leaders serve and retries what the broker calls transient, so a hub
 * starting a second after its broker needs no operator.
 */
export async function ensureHubTopics(kafka: KafkaClient, names: TopicNames, layout: TopicLayout): Promise<void> {
  const logical: KafkaTopic[] = [
    ...new Set([
      ...clickhouseTopics,
      ...lakeTopics,
      kafkaTopics.deadLetters,
      kafkaTopics.modelRollouts,
      kafkaTopics.modelReleases,
    ]),
  ];
  const configs = Object.fromEntries(
    logical.flatMap((topic) => {
      const config = kafkaTopicConfigs[topic];
      return config === undefined ? [] : [[names.full(topic), config]];
    }),
  );
  await ensureTopics(
    kafka,
    logical.map((topic) => names.full(topic)),
    layout,
    configs,
  );
}
