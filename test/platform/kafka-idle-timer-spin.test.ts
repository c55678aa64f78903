import { createKafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { afterEach, expect, it, vi } from 'vitest';

// Regression: kafkajs 2.2.4's RequestQueue.scheduleCheckPendingRequests re-arms a timer with
// `throttledUntil - Date.now()` (about -1.8e12 ms when never throttled) after every response; Node
// clamps it to 1 ms, so each idle connection woke the agent ~1,000 times a second, and Node 24 prints
// a TimeoutNegativeWarning for it. The shared Kafka seam patches the queue (shared/src/kafka/
// request-queue-fix.ts); this counts the negative timers an idle, connected producer arms.
afterEach(() => {
  vi.restoreAllMocks();
});

it('an idle connected producer arms no negative timers', async () => {
  const client = createKafkaClient({ brokers: localStack.kafka.brokers, clientId: 'tillgate-idle-timer-test' });
  const producer = new KafkaProducer(client);
  await producer.connect();
  try {
    const negative: number[] = [];
    const original = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, ms?: number, ...rest: unknown[]) => {
      if (typeof ms === 'number' && ms < 0) negative.push(ms);
      return original(handler, ms, ...rest);
    }) as typeof setTimeout);
    await new Promise((resolve) => original(resolve, 300));
    expect(negative).toEqual([]);
  } finally {
    await producer.disconnect();
  }
});
