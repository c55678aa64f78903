import type { ClickHouseClient } from '../clickhouse.ts';
import { toClickHouseTime } from '../ingest/clickhouse-time.ts';
import { queryRows } from './query-rows.ts';

export interface AlertRow {
  alert_id: string;
  store_id: string;
  sku: string;
  state: string;
  /** hidden_empty | will_run_out (issue 16); '' for alerts stored before it. */
  kind: string;
  why: string;
  risk: number;
  threshold: number;
  on_hand: string;
  model_version: string;
  at: string;
  ingested_at: string;
}

// Alerts the hub stored since the cursor, by ingested_at (the hub's clock at insert), not by `at`:
// a store coming back from a WAN cut delivers alerts with old `at` that are still news to ops.
const newAlertsQuery = `
SELECT alert_id, store_id, sku, state, kind, why, risk, threshold, on_hand, model_version, at, ingested_at
FROM alerts
WHERE ingested_at >= {since:DateTime64(3)}
ORDER BY ingested_at, at
LIMIT 1000`;

export interface AlertFeedOptions {
  pollMs: number;
  now: () => Date;
}

/**
 * The live alert stream behind GET /api/alerts/stream: one poll of ClickHouse every `pollMs` for
 * all browsers (not one per browser), only while someone listens. ClickHouse and not a Kafka consumer
 * of restock-alerts: it works the same whether the API runs with the consumers (embedded chDB) or
 * apart from them (`serve` against a server), and what it shows is what the rest of the page reads.
 * 250 ms of polling is an eighth of the 2 s sale-to-screen budget; an ingest in the same process
 * wakes the feed as soon as it stored alerts (wake()), which takes the poll wait out of the path.
 */
export class AlertFeed {
  readonly #client: ClickHouseClient;
  readonly #options: AlertFeedOptions;
  readonly #listeners = new Set<(alert: AlertRow) => void>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #pollAgain = false;
  #since: Date;
  // Rows at exactly the cursor's millisecond are read again (>=); these keys drop the repeats.
  #seenAtCursor = new Set<string>();

  constructor(client: ClickHouseClient, options: AlertFeedOptions) {
    this.#client = client;
    this.#options = options;
    this.#since = options.now();
  }

  /** Calls `listener` with every alert stored from now on; returns the unsubscribe function. */
  subscribe(listener: (alert: AlertRow) => void): () => void {
    if (this.#listeners.size === 0) {
      this.#since = this.#options.now();
      this.#seenAtCursor.clear();
      this.#schedule();
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Alerts were just stored (hub.ts, same process): read now rather than at the next poll. */
  wake(): void {
    if (this.#listeners.size === 0) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#poll();
  }

  stop(): void {
    this.#listeners.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#poll(), this.#options.pollMs);
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      const rows = await queryRows<AlertRow>(this.#client, newAlertsQuery, { since: toClickHouseTime(this.#since) });
      const last = rows.at(-1);
      const fresh = rows.filter((row) => !this.#seenAtCursor.has(`${row.alert_id}/${row.state}/${row.ingested_at}`));
      if (last !== undefined) {
        const cursor = last.ingested_at;
        this.#since = new Date(`${cursor.replace(' ', 'T')}Z`);
        this.#seenAtCursor = new Set(
          rows
            .filter((row) => row.ingested_at === cursor)
            .map((row) => `${row.alert_id}/${row.state}/${row.ingested_at}`),
        );
      }
      for (const row of fresh) for (const listener of this.#listeners) listener(row);
    } catch {
      // ClickHouse busy or restarting: the next poll retries from the same cursor, nothing is skipped.
    }
    this.#polling = false;
    if (this.#listeners.size === 0) return;
    if (this.#pollAgain) {
      this.#pollAgain = false;
      void this.#poll();
    } else {
      this.#schedule();
    }
  }
}
