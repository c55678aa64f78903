import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Alert, createLogger, type PosEvent, type StoreEvent } from '@tillgate/shared';
import { AlertEngine, type RiskScorer } from '../../../edge/src/alerts/alert-engine.ts';
import { openSqliteStore } from '../../../edge/src/store/sqlite-store.ts';

// Replays a simulated history through the edge's own path: each event committed to a real SQLite
// store (the agent's feature state), the SKUs it moved handed to the agent's AlertEngine with the real
// scorer, thresholds, hysteresis, cool-down and warm-up. What the engine publishes on the store's alert
// topic is what a display would receive.

export interface EdgeAlertSettings {
  raiseAbove: number;
  raiseHiddenEmptyAbove: number;
  clearBelow: number;
  coolDownMs: number;
  warmUpMs: number;
  sweepEveryMs: number;
}

const silent = createLogger({ name: 'alert-replay', level: 'silent' });

/** One store's events, in the order its terminals sent them, through a fresh agent store + engine. */
export async function replayStore(
  storeId: string,
  events: readonly PosEvent[],
  scorer: RiskScorer,
  settings: EdgeAlertSettings,
  workDir: string,
): Promise<Alert[]> {
  const file = join(workDir, `${storeId}-${process.pid}-${Math.random().toString(36).slice(2)}.db`);
  const store = openSqliteStore(file);
  const published: Alert[] = [];
  const engine = new AlertEngine(
    store,
    scorer,
    { storeId, ...settings },
    async (_topic, payload) => {
      published.push(JSON.parse(payload) as Alert);
    },
    () => undefined,
    silent,
  );
  try {
    for (const event of events) {
      const stored = { ...event, received_at: event.occurred_at } as StoreEvent;
      const result = store.commitIntake([{ kind: 'event', event: stored, payload: JSON.stringify(stored) }]);
      engine.enqueue(result.touched);
      await engine.idle();
    }
  } finally {
    store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  return published;
}

/**
 * Remembers every risk a scorer returned, so the same replay can be run again at other thresholds
 * without onnxruntime: the engine asks for exactly the same batches in the same order whatever its
 * levels (scoring depends only on the events), so the risks it gets back are the model's own.
 */
export class RecordedRisks {
  readonly #batches: Float32Array[] = [];

  recording(scorer: RiskScorer): RiskScorer {
    return {
      name: scorer.name,
      version: scorer.version,
      alertThreshold: scorer.alertThreshold ?? null,
      scoreBatch: async (rows) => {
        const risks = await scorer.scoreBatch(rows);
        this.#batches.push(risks);
        return risks;
      },
    };
  }

  replaying(name: string, version: string): RiskScorer {
    let next = 0;
    return {
      name,
      version,
      scoreBatch: async (rows) => {
        const risks = this.#batches[next++];
        if (risks === undefined || risks.length !== rows.length) {
          throw new Error(`replayed risk batch ${next - 1} does not match the recorded run (${rows.length} rows)`);
        }
        return risks;
      },
    };
  }
}
