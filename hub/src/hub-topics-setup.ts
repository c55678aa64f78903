import { kafkaTopics } from '@tillgate/shared';
import { ensureTopics, type KafkaClient, type TopicLayout } from '@tillgate/shared/kafka';
import { clickhouseTopics, lakeTopics, type TopicNames } from './ingest/hub-topics.ts';

const attempts = 5;

/**
 * Creates the topics the hub reads and writes when missing. Retried a few times: a broker that just
 * started (or is creating many topics at once) can answer metadata for a new partition before it
 * hosts it, and the hub starting a second too early should not need an operator.
 */
export async function ensureHubTopics(kafka: KafkaClient, names: TopicNames, layout: TopicLayout): Promise<void> {
  const topics = [...new Set([...clickhouseTopics, ...lakeTopics, kafkaTopics.deadLetters])].map((topic) =>
    names.full(topic),
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics(kafka, topics, layout);
      return;
    } catch (error) {
      if (attempt === attempts || !(error as { canRetry?: boolean }).canRetry) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt)); // ms, linear back-off
    }
  }
}
