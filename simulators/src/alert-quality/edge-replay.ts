import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Alert,
  type AlertFeedbackMessage,
  createLogger,
  mqttTopics,
  type PosEvent,
  type StoreEvent,
} from '@tillgate/shared';
import { AlertEngine, type RiskScorer } from '../../../edge/src/alerts/alert-engine.ts';
import { FeedbackSteering, type SteeringSettings } from '../../../edge/src/alerts/feedback-steering.ts';
import { FeedbackIntake } from '../../../edge/src/intake/feedback-intake.ts';
import { openSqliteStore } from '../../../edge/src/store/sqlite-store.ts';
import { Rng } from '../random.ts';
import { type StaffAnswerOptions, staffAnswer } from './observed-labels.ts';

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

/**
 * The store's staff answering alerts as they arrive (an answer at the instant of the alert: the walk
 * to the shelf is minutes, far shorter than the time between alerts of one SKU), through the agent's
 * own FeedbackIntake, so their answers steer its hidden_empty level as they would in the store.
 */
export interface ReplayStaff extends StaffAnswerOptions {
  steering: SteeringSettings;
  /** Labels the store's answer stream (one seed reproduces the same answers). */
  seed: string;
  /** The ground truth: is the shelf empty at this instant? */
  shelfEmpty: (storeId: string, sku: string, at: number) => boolean;
}

/** What the staff answered in one replay. */
export interface StaffCounts {
  answered: number;
  wrong: number;
  /** The store's hidden_empty level when the replay ended. */
  finalHiddenEmptyLevel: number;
}

const silent = createLogger({ name: 'alert-replay', level: 'silent' });

/** One store's events, in the order its terminals sent them, through a fresh agent store + engine. */
export async function replayStore(
  storeId: string,
  events: readonly PosEvent[],
  scorer: RiskScorer,
  settings: EdgeAlertSettings,
  workDir: string,
  staff: ReplayStaff | null = null,
): Promise<{ alerts: Alert[]; staff: StaffCounts | null }> {
  const file = join(workDir, `${storeId}-${process.pid}-${Math.random().toString(36).slice(2)}.db`);
  const store = openSqliteStore(file);
  const published: Alert[] = [];
  const steering = staff === null ? null : new FeedbackSteering(store, staff.steering, silent);
  const feedback = new FeedbackIntake(store, storeId, silent, steering);
  const hiddenEmptyLevel = () =>
    steering === null
      ? settings.raiseHiddenEmptyAbove
      : steering.level(settings.raiseHiddenEmptyAbove, settings.clearBelow);
  const counts: StaffCounts = { answered: 0, wrong: 0, finalHiddenEmptyLevel: settings.raiseHiddenEmptyAbove };
  const rng = new Rng(`staff-replay:${staff?.seed}:${storeId}`);
  let failure: Error | null = null;
  const answer = (alert: Alert) => {
    if (staff === null || alert.state !== 'raised') return;
    const empty = staff.shelfEmpty(storeId, alert.sku, Date.parse(alert.at));
    const said = staffAnswer(rng, empty, staff);
    if (said === null) return;
    counts.answered++;
    if ((said === 'empty') !== empty) counts.wrong++;
    const message: AlertFeedbackMessage = {
      schema: 1,
      feedback_id: `replay-${alert.alert_id}`,
      alert_id: alert.alert_id,
      answer: said,
      answered_at: alert.at,
    };
    const outcome = feedback.accept(
      mqttTopics.alertFeedback(storeId, alert.sku),
      'replay-display',
      Buffer.from(JSON.stringify(message)),
      new Date(alert.at),
    );
    if (outcome !== 'stored') throw new Error(`the replayed answer to ${alert.alert_id} was ${outcome}`);
  };
  const engine = new AlertEngine(
    store,
    scorer,
    {
      storeId,
      ...settings,
      get raiseHiddenEmptyAbove() {
        return hiddenEmptyLevel();
      },
    },
    async (_topic, payload) => {
      const alert = JSON.parse(payload) as Alert;
      published.push(alert);
      // The engine does not wait for its publishes: a failed answer is rethrown after the replay.
      try {
        answer(alert);
      } catch (error) {
        failure ??= error as Error;
      }
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
    if (failure !== null) throw failure;
  } finally {
    counts.finalHiddenEmptyLevel = hiddenEmptyLevel();
    store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  return { alerts: published, staff: staff === null ? null : counts };
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
