import type { Alert } from '@tillgate/shared';
import type { RiskScorer } from '../../../edge/src/alerts/alert-engine.ts';
import { runHistory } from '../history.ts';
import type { Scenario } from '../scenario.ts';
import { type AlertQuality, type ReceivedAlert, type ScoringWindow, scoreAlerts } from './alert-quality.ts';
import {
  type EdgeAlertSettings,
  RecordedRisks,
  type ReplayStaff,
  replayStore,
  type StaffCounts,
} from './edge-replay.ts';
import { type StaffAnswerOptions, shelfEmptyAt } from './observed-labels.ts';
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
  /** The scored days week by week: how much one week's figures move (each week scored on its own). */
  weeks: WeekQuality[];
  /** The shipped alerts: with `staff`, the store's answers steering its hidden_empty level. */
  model: AlertQuality;
  /** With `staff`: the same model at the release levels alone, for the feedback's effect. */
  model_without_feedback?: AlertQuality;
  staff?: StaffSummary;
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
  /** Staff answering the model's alerts (edge-replay.ts ReplayStaff); the ground truth is the scenario's. */
  staff?: Omit<ReplayStaff, 'shelfEmpty'>;
}

export interface StaffSummary extends StaffAnswerOptions {
  answered: number;
  wrong: number;
  /** Each store's hidden_empty level at the end of the replay (the release level where nothing moved it). */
  final_hidden_empty_levels: number[];
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
  const shelfEmpty = shelfEmptyAt(history.stockouts);
  const withStaff: ReceivedAlert[] = [];
  const staff: StaffSummary | undefined =
    options.staff === undefined
      ? undefined
      : {
          answerShare: options.staff.answerShare,
          errorRate: options.staff.errorRate,
          answered: 0,
          wrong: 0,
          final_hidden_empty_levels: [],
        };
  for (const [storeId, events] of byStore) {
    const risks = new RecordedRisks();
    recorded.set(storeId, risks);
    const replayed = await replayStore(
      storeId,
      events,
      risks.recording(options.scorer),
      options.settings,
      options.workDir,
    );
    model.push(...received(replayed.alerts));
    if (options.staff !== undefined && staff !== undefined) {
      const answered = await replayStore(
        storeId,
        events,
        risks.replaying(options.scorer.name, options.scorer.version),
        options.settings,
        options.workDir,
        { ...options.staff, shelfEmpty },
      );
      withStaff.push(...received(answered.alerts));
      const counts = answered.staff as StaffCounts;
      staff.answered += counts.answered;
      staff.wrong += counts.wrong;
      staff.final_hidden_empty_levels.push(Number(counts.finalHiddenEmptyLevel.toFixed(4)));
    }
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
      alerts.push(...received((await replayStore(storeId, events, replaying, settings, options.workDir)).alerts));
    }
    thresholds.push({
      ...levels,
      clearBelow: settings.clearBelow,
      quality: scoreAlerts(alerts, history.stockouts, window),
    });
  }
  const releaseOnly = scoreAlerts(model, history.stockouts, window);
  const shipped = staff === undefined ? model : withStaff;
  return {
    name: q.name,
    ...(staff === undefined
      ? { model: releaseOnly }
      : { model: scoreAlerts(withStaff, history.stockouts, window), model_without_feedback: releaseOnly, staff }),
    weeks: weekByWeek(window, (w) => ({
      model: brief(scoreAlerts(shipped, history.stockouts, w)),
      ...(staff === undefined ? {} : { model_without_feedback: brief(scoreAlerts(model, history.stockouts, w)) }),
      book_stock: brief(scoreAlerts(rules.book_stock, history.stockouts, w)),
    })),
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

/** One week's headline figures. */
export interface BriefQuality {
  precision: number;
  recall: number;
  detection_recall: number;
  prediction_recall: number;
  alerts: number;
}

export interface WeekQuality {
  from: string;
  model: BriefQuality;
  model_without_feedback?: BriefQuality;
  book_stock: BriefQuality;
}

function brief(q: AlertQuality): BriefQuality {
  return {
    precision: q.precision,
    recall: q.recall,
    detection_recall: q.detection.recall,
    prediction_recall: q.prediction.recall,
    alerts: q.alerts,
  };
}

/** Whole weeks of the scored window, each scored as a window of its own. */
function weekByWeek(window: ScoringWindow, score: (week: ScoringWindow) => Omit<WeekQuality, 'from'>): WeekQuality[] {
  const weeks: WeekQuality[] = [];
  for (let from = window.from; from + 7 * dayMs <= window.until; from += 7 * dayMs) {
    weeks.push({ from: new Date(from).toISOString(), ...score({ ...window, from, until: from + 7 * dayMs }) });
  }
  return weeks;
}
