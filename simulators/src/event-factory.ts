import { createHash } from 'node:crypto';
import type { PosEvent } from '@tillgate/shared';

type Body<T extends PosEvent['type']> = Omit<
  Extract<PosEvent, { type: T }>,
  'schema' | 'event_id' | 'store_id' | 'terminal_id' | 'terminal_seq' | 'occurred_at' | 'type'
>;

/**
 * Stamps the envelope on events of one store: per-terminal monotonic `terminal_seq` and an
 * `event_id` that is a pure function of (seed, start, store, terminal, seq). A resumed live run
 * replays the same ids, so anything re-sent after a crash dedupes at the edge and the hub, while two
 * runs with a different seed or start can never collide.
 */
export class EventFactory {
  readonly storeId: string;
  readonly #runTag: string;
  readonly #seqs = new Map<string, number>();

  constructor(seed: number, startMs: number, storeId: string) {
    this.storeId = storeId;
    this.#runTag = createHash('sha256').update(`${seed}/${startMs}`).digest('hex').slice(0, 8);
  }

  make<T extends PosEvent['type']>(
    type: T,
    terminalId: string,
    at: number,
    body: Body<T>,
  ): Extract<PosEvent, { type: T }> {
    const seq = (this.#seqs.get(terminalId) ?? 0) + 1;
    this.#seqs.set(terminalId, seq);
    return {
      schema: 1,
      event_id: `${this.#runTag}:${this.storeId}:${terminalId}:${seq}`,
      store_id: this.storeId,
      terminal_id: terminalId,
      terminal_seq: seq,
      occurred_at: new Date(at).toISOString(),
      type,
      ...body,
    } as Extract<PosEvent, { type: T }>;
  }
}
