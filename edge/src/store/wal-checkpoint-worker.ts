import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

// Runs in a worker thread with its own connection (see wal-checkpointer.ts): checkpoints the WAL so
// the agent's event loop never does.
const { file, intervalMs, walLimitBytes } = workerData as { file: string; intervalMs: number; walLimitBytes: number };
const db = new Database(file);
// A checkpoint must reach the disk before the WAL is reused, as on the agent's own connection.
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 1000');
db.pragma(`journal_size_limit = ${walLimitBytes}`);
const timer = setInterval(() => {
  try {
    // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next tick tries again; the agent's disk budget sees the WAL's size.
  }
}, intervalMs);
parentPort?.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
