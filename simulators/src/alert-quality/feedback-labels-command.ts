import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Alert, PosEvent } from '@tillgate/shared';
import { alertLevels } from '../../../edge/src/alerts/alert-levels.ts';
import { defaults } from '../../../edge/src/config.ts';
import { bundledPublicKeysPem } from '../../../edge/src/scoring/default-model.ts';
import { StockoutScorer } from '../../../edge/src/scoring/stockout-scorer.ts';
import { SimulatorOptionError } from '../errors.ts';
import { runHistory } from '../history.ts';
import { type ColumnSpec, column, writeParquetFile } from '../parquet-file.ts';
import { Rng } from '../random.ts';
import type { Scenario } from '../scenario.ts';
import type { ReceivedAlert } from './alert-quality.ts';
import { replayStore } from './edge-replay.ts';
import { emptyShelfCounts, type ObservedEmpty, staffFeedbackLabels } from './observed-labels.ts';

const dayMs = 86_400_000;

/** Label files written into the history directory (the pipeline's --labels takes either name). */
export const observedLabelFiles = { counts: 'labels-counts.parquet', observed: 'labels-observed.parquet' } as const;

const labelColumns: ColumnSpec<ObservedEmpty> = {
  store_id: { type: column.text, value: (l) => l.store_id },
  sku: { type: column.text, value: (l) => l.sku },
  start: { type: column.timestamp, value: (l) => l.at },
  end: { type: column.timestamp, value: (l) => l.at },
  source: { type: column.text, value: (l) => l.source },
};

/**
 * `feedback-labels --model DIR --history DIR [--trust PEM] [--answer-share 0.7] [--error-rate 0.1]
 * [--seed 1] [--warm-up-days 28]`: the labels a chain running the model would have observed on a
 * simulated history (regenerated from its manifest), as label intervals for the training pipeline's
 * --labels: labels-counts.parquet (shelf counts of 0 only) and labels-observed.parquet (those plus the
 * staff's "empty" answers to the alerts the model raised through the edge's own engine). Prints the
 * answer counts as JSON.
 */
export async function runFeedbackLabelsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      history: { type: 'string' },
      trust: { type: 'string' },
      'answer-share': { type: 'string' },
      'error-rate': { type: 'string' },
      seed: { type: 'string' },
      'warm-up-days': { type: 'string' },
      'work-dir': { type: 'string' },
    },
  });
  if (values.model === undefined) throw new SimulatorOptionError('--model', 'is required');
  if (values.history === undefined) throw new SimulatorOptionError('--history', 'give the history directory');
  const share = (name: 'answer-share' | 'error-rate', fallback: number) => {
    const value = Number(values[name] ?? fallback);
    if (!(value >= 0 && value <= 1)) throw new SimulatorOptionError(`--${name}`, 'must be a number in [0, 1]');
    return value;
  };
  const options = { answerShare: share('answer-share', 0.7), errorRate: share('error-rate', 0.1) };
  const manifest = JSON.parse(readFileSync(join(values.history, 'manifest.json'), 'utf8')) as {
    scenario: Scenario;
    start: string;
    days: number;
  };
  const history = runHistory(manifest.scenario, Date.parse(manifest.start), manifest.days);
  const trusted = [
    ...bundledPublicKeysPem(),
    ...(values.trust === undefined ? [] : [readFileSync(values.trust, 'utf8')]),
  ];
  const scorer = await StockoutScorer.load(values.model, trusted);
  const levels = alertLevels({}, scorer);
  const byStore = new Map<string, PosEvent[]>();
  for (const event of history.events) {
    const list = byStore.get(event.store_id) ?? [];
    list.push(event);
    byStore.set(event.store_id, list);
  }
  const alerts: ReceivedAlert[] = [];
  try {
    for (const [storeId, events] of byStore) {
      const raised = await replayStore(
        storeId,
        events,
        scorer,
        {
          raiseAbove: levels.raiseAbove,
          raiseHiddenEmptyAbove: levels.raiseHiddenEmptyAbove,
          clearBelow: levels.clearBelow,
          coolDownMs: defaults.alerts.coolDownMs,
          warmUpMs: Number(values['warm-up-days'] ?? 28) * dayMs,
          sweepEveryMs: defaults.alerts.sweepEveryMs,
        },
        values['work-dir'] ?? '/dev/shm',
      );
      alerts.push(...raised.alerts.filter((a: Alert) => a.state === 'raised').map(toReceived));
    }
  } finally {
    await scorer.close();
  }
  const counts = emptyShelfCounts(history.events);
  const rng = new Rng(`staff-labels:${values.seed ?? 1}:${values.history}`);
  const feedback = staffFeedbackLabels(alerts, history.stockouts, rng, options);
  writeParquetFile(join(values.history, observedLabelFiles.counts), counts, labelColumns);
  writeParquetFile(join(values.history, observedLabelFiles.observed), [...counts, ...feedback.labels], labelColumns);
  process.stdout.write(
    `${JSON.stringify({ model: `${scorer.name} ${scorer.version}`, shelf_counts_empty: counts.length, ...options, feedback: feedback.counts })}\n`,
  );
}

function toReceived(a: Alert): ReceivedAlert {
  return { storeId: a.store_id, sku: a.sku, at: Date.parse(a.at), kind: a.kind };
}
