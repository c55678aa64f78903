import { kafkaTopics, type Logger, type ModelAssignment, modelAssignment } from '@tillgate/shared';
import { createConsumer, createKafkaClient } from '@tillgate/shared/kafka';
import { type EdgeConfig, kafkaConnection } from '../config.ts';

/**
 * The store's model orders, read from the compacted model-rollouts topic keyed by store id, over the
 * same Kafka connection settings (and WAN tunnel) as the forwarder. Why Kafka and not a hub endpoint
 * polled with the heartbeat: it is the only WAN path the agent already has, authenticated and tunnelled;
 * the latest order per store waits in the topic while a store is offline for days and arrives when the
 * link is back; the hub needs no per-store HTTP endpoint and no inbound connection ever reaches the
 * store. One group per store, so each agent sees every order addressed to it; others' keys are skipped.
 */
export function startAssignmentFeed(
  kafka: EdgeConfig['kafka'],
  storeId: string,
  onAssignment: (assignment: ModelAssignment) => void,
  log: Logger,
): { stop(): Promise<void> } {
  const connection = kafkaConnection(kafka, storeId);
  const client = createKafkaClient({ ...connection, clientId: `${connection.clientId}-updater` });
  const consumer = createConsumer(client, {
    groupId: `tillgate-edge-rollouts-${storeId}`,
    // A short session so a restarted agent gets its partitions back quickly.
    tuning: { sessionTimeout: 10_000, maxWaitTimeInMs: 1_000 },
  });
  let stopped = false;
  const run = async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: kafka.topicPrefix + kafkaTopics.modelRollouts, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() !== storeId || message.value === null) return;
            const parsed = modelAssignment.safeParse(safeJson(message.value.toString()));
            if (!parsed.success || parsed.data.store_id !== storeId) {
              log.warn(
                { issues: parsed.success ? 'store_id differs from the key' : parsed.error.issues },
                'model assignment ignored: breaks its contract',
              );
              return;
            }
            onAssignment(parsed.data);
          },
        });
        return;
      } catch (error) {
        // Kafka unreachable at start (WAN down): keep trying; orders wait in the topic.
        log.debug({ err: error, attempt }, 'model assignment feed not connected; retrying');
        await consumer.disconnect().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))));
      }
    }
  };
  void run();
  return {
    async stop() {
      stopped = true;
      await consumer.disconnect().catch(() => undefined);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
