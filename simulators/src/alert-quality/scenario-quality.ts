import type { Alert } from '@tillgate/shared';
import type { RiskScorer } from '../../../edge/src/alerts/alert-engine.ts';
import { runHistory } from '../history.ts';
import type { Scenario } from '../scenario.ts';
import { type AlertQuality, type ReceivedAlert, scoreAlerts } from './alert-quality.ts';
import { type EdgeAlertSettings, RecordedRisks, replayStore } from './edge-replay.ts';
import { defaultRuleSettings, type RuleSettings, ruleAlerts } from './rule-alerts.ts';

const dayMs = 86_400_000;

/** A simulated chain and the stretch of it that is scored. */
export interface QualityScenario {
  name: string;
  scenario: Scenario;
  /** First simulated day (a UTC midnight, epoch ms). */
  start: number;
  /** Days before scoring starts: the edge's warm-up and the rules' history. */
  warmUpDays: number;
  scoredDays: number;
}

export interface ScenarioQuality {
  name: string;
  model: AlertQuality;
  book_stock: AlertQuality;
  days_of_cover: AlertQuality;
  gap_rule: AlertQuality;
}

export interface QualityOptions {
  scorer: RiskScorer;
  settings: EdgeAlertSettings;
  /** The horizon a will_run_out alert promises (the model's label horizon). */
  horizonMs: number;
  workDir: string;
  rules?: RuleSettings;
  /** Other raise levels to score from the same replay (clear level kept at the same share of the lower). */
  thresholds?: readonly RaiseLevels[];
}

/** The engine's two raise levels: for every alert, and for one whose evidence is a contradicted silence. */
export interface RaiseLevels {
  raiseAbove: number;
  raiseHiddenEmptyAbove: number;
}

export interface ThresholdQuality extends RaiseLevels {
  clearBelow: number;
  quality: AlertQuality;
}

/**
 * Simulates the scenario, replays each store through the edge's own scorer and alert engine and the
 * three rules, and scores all four on the same ground truth. With `thresholds`, the model's replay is
 * repeated at each raise level (risks recorded once; RecordedRisks) for the threshold choice.
 */
export async function scenarioQuality(
  q: QualityScenario,
  options: QualityOptions,
): Promise<ScenarioQuality & { thresholds: ThresholdQuality[] }> {
  // Two extra days so every alert in the scored window has its horizon in the ground truth.
  const history = runHistory(q.scenario, q.start, q.warmUpDays + q.scoredDays + Math.ceil(options.horizonMs / dayMs));
  const window = {
    from: q.start + q.warmUpDays * dayMs,
    until: q.start + (q.warmUpDays + q.scoredDays) * dayMs,
    horizonMs: options.horizonMs,
    stores: q.scenario.stores,
  };
  const byStore = new Map<string, typeof history.events>();
  for (const event of history.events) byStore.set(event.store_id, [...(byStore.get(event.store_id) ?? []), event]);
  const model: ReceivedAlert[] = [];
  const rules = {
    book_stock: [] as ReceivedAlert[],
    days_of_cover: [] as ReceivedAlert[],
    gap_rule: [] as ReceivedAlert[],
  };
  const recorded = new Map<string, RecordedRisks>();
  for (const [storeId, events] of byStore) {
    const risks = new RecordedRisks();
    recorded.set(storeId, risks);
    model.push(
      ...received(
        await replayStore(storeId, events, risks.recording(options.scorer), options.settings, options.workDir),
      ),
    );
    const storeRules = ruleAlerts(storeId, events, options.rules ?? defaultRuleSettings);
    rules.book_stock.push(...storeRules.book_stock);
    rules.days_of_cover.push(...storeRules.days_of_cover);
    rules.gap_rule.push(...storeRules.gap_rule);
  }
  const thresholds: ThresholdQuality[] = [];
  const lowest = ({ raiseAbove, raiseHiddenEmptyAbove }: RaiseLevels) => Math.min(raiseAbove, raiseHiddenEmptyAbove);
  const clearShare = options.settings.clearBelow / lowest(options.settings);
  for (const levels of options.thresholds ?? []) {
    const settings = { ...options.settings, ...levels, clearBelow: lowest(levels) * clearShare };
    const alerts: ReceivedAlert[] = [];
    for (const [storeId, events] of byStore) {
      const replaying = (recorded.get(storeId) as RecordedRisks).replaying(options.scorer.name, options.scorer.version);
      alerts.push(...received(await replayStore(storeId, events, replaying, settings, options.workDir)));
    }
    thresholds.push({
      ...levels,
      clearBelow: settings.clearBelow,
      quality: scoreAlerts(alerts, history.stockouts, window),
    });
  }
  return {
    name: q.name,
    model: scoreAlerts(model, history.stockouts, window),
    book_stock: scoreAlerts(rules.book_stock, history.stockouts, window),
    days_of_cover: scoreAlerts(rules.days_of_cover, history.stockouts, window),
    gap_rule: scoreAlerts(rules.gap_rule, history.stockouts, window),
    thresholds,
  };
}

/** The raised alerts as a display gets them. */
function received(alerts: readonly Alert[]): ReceivedAlert[] {
  return alerts
    .filter((a) => a.state === 'raised')
    .map((a) => ({
      storeId: a.store_id,
      sku: a.sku,
      at: Date.parse(a.at),
      kind: a.kind,
    }));
}
