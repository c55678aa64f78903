import type { Admin, Kafka } from 'kafkajs';
import { KafkaError, kafkaErrorCodes } from './errors.ts';

/**
 * One admin connection for one attempt of an operation, closed after it. A fresh connection per
 * attempt also means fresh metadata: the client caches partition leaders, and a retry after
 * NOT_LEADER_OR_FOLLOWER must ask the cluster again rather than reuse the stale answer.
 */
export async function withAdmin<T>(client: Kafka, what: string, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = client.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw KafkaError.wrap(kafkaErrorCodes.connectFailed, `cannot reach Kafka to ${what}`, error);
  }
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
