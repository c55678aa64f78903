import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the agent's WAL from a worker thread. SQLite's automatic checkpoint runs inside the
 * commit that crosses the threshold, on the connection that committed: it copies up to 1,000 pages
 * into the main file and fsyncs it while the event loop that serves MQTT and publishes alerts waits
 * (the tail of bench/edge-alert-latency.ts). The agent's connection turns it off
 * (wal_autocheckpoint = 0) and this worker's own connection checkpoints every `intervalMs` instead.
 */
export class WalCheckpointer {
  readonly #worker: Worker;

  constructor(file: string, intervalMs: number, walLimitBytes: number) {
    this.#worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), {
      workerData: { file, intervalMs, walLimitBytes },
    });
    // A failed worker must not go unnoticed: without it the WAL grows until the disk budget refuses.
    this.#worker.on('error', (error) => {
      throw error;
    });
    this.#worker.unref();
  }

  /** Asks the worker to close its connection and exit. */
  stop(): void {
    this.#worker.postMessage('stop');
  }
}
