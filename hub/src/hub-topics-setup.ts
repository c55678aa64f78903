import { kafkaTopics } from '@tillgate/shared';
import { ensureTopics, type KafkaClient, type TopicLayout } from '@tillgate/shared/kafka';
import { clickhouseTopics, lakeTopics, type TopicNames } from './ingest/hub-topics.ts';

/**
 * Creates the topics the hub reads and writes when missing. ensureTopics waits until their leaders
 * serve and retries what the broker calls transient, so a hub starting a second after its broker
 * needs no operator.
 */
export async function ensureHubTopics(kafka: KafkaClient, names: TopicNames, layout: TopicLayout): Promise<void> {
  const topics = [
    ...new Set([...clickhouseTopics, ...lakeTopics, kafkaTopics.deadLetters, kafkaTopics.modelRollouts]),
  ].map((topic) => names.full(topic));
  await ensureTopics(kafka, topics, layout);
}
