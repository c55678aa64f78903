import type { EachBatchPayload } from '@tillgate/shared/kafka';

/** A partition batch's start: committing it again moves nothing, but the broker checks who asks. */
export interface FencedPartition {
  topic: string;
  partition: number;
  /** The first offset of the batch, which is the group's committed offset for the partition. */
  offset: string;
}

type Commit = EachBatchPayload['commitOffsetsIfNecessary'];

/**
 * Proves, before an insert, that this member still owns the partitions whose rows it is about to write
 * (issue 15 item 5). The identity filter is race-free only while one member owns a partition; a write
 * held up past the session timeout (a stalled process) would otherwise insert rows that the partition's
 * next owner already inserted, and the materialized views would sum them twice.
 *
 * The proof is an offset commit of each batch's start offset: the broker checks the member id and the
 * generation on every commit and refuses a member it has fenced (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * REBALANCE_IN_PROGRESS). That error goes up to the client's run loop, which re-joins the group. A
 * commit also restarts the member's session, so the partitions stay ours for `sessionTimeoutMs` after
 * the request went out; the proof is trusted for half of that, and proven again when it got older (a
 * stall in between). An insert is aborted when the window closes.
 *
 * What a client cannot close: a stall between the last check and the insert's bytes reaching
 * ClickHouse (microseconds, not the seconds of a slow write), and an insert that a server completes
 * after its client gave up. An operator repairs the aggregates of such a day with
 * `tillgate-hub rebuild-aggregates`.
 */
export class MembershipFence {
  readonly #commit: Commit;
  readonly #partitions: readonly FencedPartition[];
  readonly #windowMs: number;
  #validUntil = 0;

  constructor(commit: Commit, partitions: readonly FencedPartition[], sessionTimeoutMs: number) {
    this.#commit = commit;
    this.#partitions = partitions;
    this.#windowMs = sessionTimeoutMs / 2;
  }

  /** Resolves with a signal that aborts when the proof expires; rejects when the broker fenced us. */
  async fresh(): Promise<AbortSignal> {
    if (Date.now() >= this.#validUntil) {
      const askedAt = Date.now();
      await this.#commit({ topics: byTopic(this.#partitions) });
      this.#validUntil = askedAt + this.#windowMs;
    }
    return AbortSignal.timeout(Math.max(1, this.#validUntil - Date.now()));
  }
}

function byTopic(partitions: readonly FencedPartition[]) {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of partitions) {
    const list = topics.get(topic) ?? [];
    list.push({ partition, offset });
    topics.set(topic, list);
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
}
