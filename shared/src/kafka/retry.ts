/**
 * How long an operation of this seam keeps retrying an error the broker calls transient. A topic
 * created a moment ago is the common case: on a loaded 2-core machine the broker answered metadata
 * with UNKNOWN_TOPIC_OR_PARTITION and ListOffsets with NOT_LEADER_OR_FOLLOWER for a few hundred ms
 * after CreateTopics returned (issue 15 item 9: 29 of 30 create-then-lag rounds failed).
 */
export const transientRetry = {
  initialDelayMs: 100, // ms, first pause; doubles per attempt with ±20 % jitter
  maxDelayMs: 2_000, // ms, longest pause between attempts
  giveUpAfterMs: 30_000, // ms since the first attempt; then the last error goes to the caller
} as const;

/**
 * Runs `operation` until it succeeds, fails with an error a retry cannot help, or `giveUpAfterMs`
 * passed. Each attempt should start from scratch (e.g. a fresh admin client, so stale partition
 * leadership is fetched again rather than reused).
 */
export async function retryTransient<T>(operation: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let delay: number = transientRetry.initialDelayMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const jittered = delay * (0.8 + Math.random() * 0.4);
      if (!retryNowHelps(error) || Date.now() - start + jittered > transientRetry.giveUpAfterMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, jittered));
      delay = Math.min(delay * 2, transientRetry.maxDelayMs);
    }
  }
}

/**
 * True when the innermost error that says so is retriable (the client library's `retriable` flag;
 * our KafkaError keeps the library error as its `cause`), unless the library already spent its own
 * retry budget on it: an unreachable broker was retried for the client's `retries` before it reached
 * us, and retrying that again here would multiply the wait (the edge's outbox retries later instead).
 */
export function retryNowHelps(error: unknown): boolean {
  let verdict = false;
  let current: unknown = error;
  // Bounded walk: cause chains are short, and a cyclic one must not hang error handling.
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current.name === 'KafkaJSNumberOfRetriesExceeded') return false;
    const flag = (current as { retriable?: unknown }).retriable;
    if (typeof flag === 'boolean') verdict = flag;
    current = current.cause;
  }
  return verdict;
}
