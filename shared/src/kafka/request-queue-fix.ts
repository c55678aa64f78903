import { createRequire } from 'node:module';

// kafkajs 2.2.4 (unmaintained, MISSION.md "Decisions") re-arms RequestQueue's throttle check after
// every response with `throttledUntil - Date.now()` even when it was never throttled (-1): a timer of
// about -1.8e12 ms that Node clamps to 1 ms, so every idle broker connection woke the process about
// 1,000 times a second (Node 24 prints a TimeoutNegativeWarning for it; Node 20 spun silently).
// Replaced once, here in the Kafka seam: arm the check only when requests wait, for the throttle's
// remaining time or the library's own 10 ms poll (CHECK_PENDING_REQUESTS_INTERVAL).
// Regression test: test/platform/kafka-idle-timer-spin.test.ts.

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

const checkPendingIntervalMs = 10;
const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: RequestQueueInternals & { scheduleCheckPendingRequests(): void };
};

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
  this: RequestQueueInternals,
) {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : checkPendingIntervalMs,
  );
};
