import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { alertLevels } from '../../../edge/src/alerts/alert-levels.ts';
import { defaults } from '../../../edge/src/config.ts';
import { bundledPublicKeysPem } from '../../../edge/src/scoring/default-model.ts';
import { StockoutScorer } from '../../../edge/src/scoring/stockout-scorer.ts';
import { SimulatorOptionError } from '../errors.ts';
import type { Scenario } from '../scenario.ts';
import { type QualityScenario, type RaiseLevels, scenarioQuality, type ThresholdQuality } from './scenario-quality.ts';

const dayMs = 86_400_000;
const horizonMs = 48 * 3_600_000;

/**
 * `alert-thresholds --model DIR --history DIR [--history DIR ...] --from MS --until MS --thresholds a,b:c,...
 * [--trust PEM] [--warm-up-days 28]`: the alert-quality of a model at each raise level (`b:c`: raise at b,
 * and at c when the evidence is a silence the books contradict, kind hidden_empty), on the window
 * [from, until) of each simulated history (regenerated from its manifest's scenario, the same events
 * byte for byte), replayed through the edge's own store and alert engine. The training pipeline
 * picks its alert threshold from this on the validation slice (models/tillgate_models/alert_threshold.py).
 * Prints one JSON object: { thresholds: [{ raiseAbove, raiseHiddenEmptyAbove, clearBelow, histories }], rules: [...] }.
 */
export async function runAlertThresholdsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      history: { type: 'string', multiple: true },
      from: { type: 'string' },
      until: { type: 'string' },
      thresholds: { type: 'string' },
      trust: { type: 'string' },
      'work-dir': { type: 'string' },
      'warm-up-days': { type: 'string' },
    },
  });
  if (values.model === undefined) throw new SimulatorOptionError('--model', 'is required');
  if (values.history === undefined || values.history.length === 0)
    throw new SimulatorOptionError('--history', 'give at least one history directory');
  const from = Number(values.from);
  const until = Number(values.until);
  if (!Number.isInteger(from) || !Number.isInteger(until) || from % dayMs !== 0 || until % dayMs !== 0 || until <= from)
    throw new SimulatorOptionError('--from/--until', 'must be epoch-ms UTC midnights with from < until');
  const levels = parseLevels(values.thresholds ?? '');
  const trusted = [
    ...bundledPublicKeysPem(),
    ...(values.trust === undefined ? [] : [readFileSync(values.trust, 'utf8')]),
  ];
  const scorer = await StockoutScorer.load(values.model, trusted);
  const warmUpDays = Number(values['warm-up-days'] ?? 28);
  const [first, ...rest] = levels as [RaiseLevels, ...RaiseLevels[]];
  const settings = {
    ...first,
    // The edge's own rule for the clear level (a share of the lower raise level).
    clearBelow: alertLevels(first, { alertThreshold: null }).clearBelow,
    coolDownMs: defaults.alerts.coolDownMs,
    warmUpMs: warmUpDays * dayMs,
    sweepEveryMs: defaults.alerts.sweepEveryMs,
  };
  const perLevel = new Map<string, ThresholdQuality[]>();
  const rules = [];
  try {
    for (const dir of values.history) {
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        scenario: Scenario;
        start: string;
      };
      const start = Date.parse(manifest.start);
      const q: QualityScenario = {
        name: dir,
        scenario: manifest.scenario,
        start,
        warmUpDays: (from - start) / dayMs,
        scoredDays: (until - from) / dayMs,
      };
      const result = await scenarioQuality(q, {
        scorer,
        settings,
        horizonMs,
        workDir: values['work-dir'] ?? '/dev/shm',
        thresholds: rest,
      });
      const all = [{ ...first, clearBelow: settings.clearBelow, quality: result.model }, ...result.thresholds];
      for (const t of all) perLevel.set(levelKey(t), [...(perLevel.get(levelKey(t)) ?? []), t]);
      rules.push({
        history: dir,
        book_stock: result.book_stock,
        days_of_cover: result.days_of_cover,
        gap_rule: result.gap_rule,
      });
    }
  } finally {
    await scorer.close();
  }
  const thresholds = [...perLevel.values()].map((list) => {
    const { raiseAbove, raiseHiddenEmptyAbove, clearBelow } = list[0] as ThresholdQuality;
    return { raiseAbove, raiseHiddenEmptyAbove, clearBelow, histories: list.map((t) => t.quality) };
  });
  process.stdout.write(`${JSON.stringify({ horizon_ms: horizonMs, from, until, thresholds, rules })}\n`);
}

const levelKey = (l: RaiseLevels): string => `${l.raiseAbove}:${l.raiseHiddenEmptyAbove}`;

/** `a` raises every alert at a; `a:b` raises hidden_empty alerts at b instead. */
function parseLevels(list: string): RaiseLevels[] {
  const items = list.split(',').map((item) => item.split(':').map(Number));
  const valid = (parts: number[]) => parts.length <= 2 && parts.every((t) => t > 0 && t <= 1);
  if (!items.every(valid))
    throw new SimulatorOptionError(
      '--thresholds',
      `must be a comma-separated list of levels in (0, 1], each a or a:b (hidden_empty at b); got ${JSON.stringify(list)}`,
    );
  return items.map(([raise, hidden = raise]) => ({
    raiseAbove: raise as number,
    raiseHiddenEmptyAbove: hidden as number,
  }));
}
