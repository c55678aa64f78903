import type { Logger } from '@tillgate/shared';
import type { EdgeStore } from '../store/edge-store.ts';
import { Backoff } from './backoff.ts';
import type { KafkaLink } from './kafka-link.ts';

export interface ForwarderOptions {
  batchSize: number;
  idleMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/**
 * Drains the outbox to Kafka in seq order, one batch at a time: a batch is marked sent only after
 * the broker acknowledged all of it (acks=all), so a crash at any point re-sends, never skips. The
 * position is the outbox itself (first unsent seq), so a restart resumes exactly where it was.
 */
export class Forwarder {
  readonly #store: EdgeStore;
  readonly #link: KafkaLink;
  readonly #options: ForwarderOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #connectedOnce = false;

  constructor(store: EdgeStore, link: KafkaLink, options: ForwarderOptions, log: Logger) {
    this.#store = store;
    this.#link = link;
    this.#options = options;
    this.#log = log;
    this.#backoff = new Backoff(options.backoffInitialMs, options.backoffMaxMs);
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await this.#link.reset();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const rows = this.#store.readUnsent(this.#options.batchSize);
      if (rows.length === 0) {
        await this.#sleep(this.#options.idleMs);
        continue;
      }
      try {
        await this.#link.send(
          rows.map((row) => ({
            topic: row.topic,
            key: row.key,
            value: row.payload,
            timestamp: Date.parse(row.receivedAt),
          })),
        );
      } catch (error) {
        const delay = this.#backoff.nextDelayMs();
        this.#log.warn(
          { err: error, backlog: rows.length, retryInMs: Math.round(delay) },
          'Kafka unreachable; retrying',
        );
        await this.#sleep(delay);
        continue;
      }
      const now = new Date();
      this.#store.markSent(
        rows.map((row) => row.seq),
        now,
      );
      this.#backoff.reset();
      if (!this.#connectedOnce) this.#log.info('forwarding to Kafka');
      this.#connectedOnce = true;
      // Caught up: wait for more rows rather than sending (and fsyncing the sent marks) per commit —
      // every fsync blocks the event loop that also serves intake and alerts.
      if (rows.length < this.#options.batchSize) await this.#sleep(this.#options.idleMs);
    }
  }

  /** A pause that stop() cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}
