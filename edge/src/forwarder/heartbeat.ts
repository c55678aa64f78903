import { type Heartbeat, heartbeat, kafkaTopics, type Logger } from '@tillgate/shared';
import type { KafkaLink } from './kafka-link.ts';

/**
 * Sends the fleet heartbeat every `intervalMs` straight to Kafka (not through the outbox: a stale
 * heartbeat replayed after an outage would lie about the present). A failed send is skipped.
 */
export function startHeartbeats(
  link: KafkaLink,
  intervalMs: number,
  build: () => Heartbeat,
  log: Logger,
): { stop(): void } {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    const parsed = heartbeat.safeParse(build());
    if (!parsed.success) {
      // A bug, not an outage: say so instead of letting a timer callback throw and end the process.
      log.error({ issues: parsed.error.issues }, 'heartbeat breaks its contract; not sent');
      return;
    }
    const beat = parsed.data;
    inFlight = true;
    link
      .send([
        { topic: kafkaTopics.edgeHeartbeats, key: beat.store_id, value: JSON.stringify(beat), timestamp: Date.now() },
      ])
      .catch((error) => log.debug({ err: error }, 'heartbeat not sent'))
      .finally(() => {
        inFlight = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
