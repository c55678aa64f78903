import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { alertLevels } from '../edge/src/alerts/alert-levels.ts';
import { defaults } from '../edge/src/config.ts';
import { bundledPublicKeysPem, defaultModelDir, StockoutScorer } from '../edge/src/scoring/index.ts';
import { qualityScenarios } from '../simulators/src/alert-quality/quality-scenarios.ts';
import { defaultRuleSettings } from '../simulators/src/alert-quality/rule-alerts.ts';
import { scenarioQuality } from '../simulators/src/alert-quality/scenario-quality.ts';
import { writeResult } from './lib/result-file.ts';

// Alert quality as a person receives it: every scenario replayed through the edge's own scorer and
// alert engine (bundled model, its own threshold, shipped hysteresis, cool-down and a 28-day warm-up)
// and through the three simple rules, all scored on the same ground truth (issue 16 item 1).
//   npm run bench -- alert-quality

const horizonMs = 48 * 3_600_000;
// Staff walk to the shelf for half the alerts and misread one shelf in ten; their answers steer each
// store's hidden_empty level as the agent's do (src/alerts/feedback-steering.ts).
const staff = { answerShare: 0.5, errorRate: 0.1 };
const work = mkdtempSync(join('/dev/shm', 'tillgate-alert-quality-'));
const scorer = await StockoutScorer.load(defaultModelDir, bundledPublicKeysPem());
const levels = alertLevels({}, scorer);
const manifest = JSON.parse(readFileSync(join(defaultModelDir, 'manifest.json'), 'utf8'));
const began = Date.now();
const scenarios = [];
try {
  for (const q of qualityScenarios) {
    const started = Date.now();
    const { thresholds: _none, ...result } = await scenarioQuality(q, {
      scorer,
      settings: {
        raiseAbove: levels.raiseAbove,
        raiseHiddenEmptyAbove: levels.raiseHiddenEmptyAbove,
        clearBelow: levels.clearBelow,
        coolDownMs: defaults.alerts.coolDownMs,
        warmUpMs: q.warmUpDays * 86_400_000,
        sweepEveryMs: defaults.alerts.sweepEveryMs,
      },
      horizonMs,
      workDir: work,
      staff: { ...staff, seed: q.name, steering: defaults.alerts.feedback },
    });
    scenarios.push({
      ...result,
      scenario: {
        ...q.scenario,
        start: new Date(q.start).toISOString(),
        warm_up_days: q.warmUpDays,
        scored_days: q.scoredDays,
      },
    });
    process.stdout.write(
      `${q.name}: ${JSON.stringify({ model: result.model, without_feedback: result.model_without_feedback, staff: result.staff, weeks: result.weeks, book: result.book_stock })} (${(Date.now() - started) / 1000}s)\n`,
    );
  }
} finally {
  await scorer.close();
  rmSync(work, { recursive: true, force: true });
}
const perScenario = scenarios.map((s) => Math.min(s.model.precision, s.model.recall));
writeResult({
  name: 'alert-quality',
  what: `stock-out alerts as received (raised alerts on the store's alert topic), per scenario: the bundled model through the edge's own AlertEngine (threshold ${levels.raiseAbove}, hidden_empty ${levels.raiseHiddenEmptyAbove} steered per store by staff answers to ${staff.answerShare * 100} % of alerts with ${staff.errorRate * 100} % wrong (alerts.feedback ${JSON.stringify(defaults.alerts.feedback)}), from the store's first alert on (model_without_feedback: the release levels alone, same replay), clear ${levels.clearBelow}, cool-down ${defaults.alerts.coolDownMs / 60_000} min, warm-up = the scenario's warm-up days) vs three rules on the same events; precision = right alerts / alerts (hidden_empty right if the shelf is empty when it arrives, will_run_out if empty within ${horizonMs / 3_600_000} h); recall = injected stock-outs starting in the scored days with a raise in [start - ${horizonMs / 3_600_000} h, end] (a raise after the last scored day counts for one that started in it); detection = phantom inventory + unrecorded shrink found while empty; prediction = other stock-outs alerted at or before the start; value = the worst of precision and recall over the scenarios`,
  unit: 'min(precision, recall)',
  value: Math.min(...perScenario),
  spread: { min: Math.min(...perScenario), max: Math.max(...perScenario) },
  scenarios,
  rules: {
    book_stock: 'book stock (events) crosses to <= 0',
    days_of_cover: `on hand / 7-day mean daily units < ${defaultRuleSettings.coverDays} day`,
    gap_rule: `hourly: book stock > 0 and P(silence | the SKU's share of the store's sale lines over 28 days) < ${defaultRuleSettings.gapProbability}`,
  },
  model: { name: scorer.name, version: scorer.version, alert_threshold: manifest.metrics.alert_threshold ?? null },
  // On every scenario, and the model's precision at least the book-stock rule's.
  goal: { precision_at_least: 0.6, recall_at_least: 0.6, detection_recall_at_least: 0.6 },
  runs: 1,
  command: 'npm run bench -- alert-quality',
  seconds: (Date.now() - began) / 1000,
});
