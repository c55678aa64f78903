import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertLevels } from '../../../edge/src/alerts/alert-levels.ts';
import { defaults } from '../../../edge/src/config.ts';
import { bundledPublicKeysPem, defaultModelDir, StockoutScorer } from '../../../edge/src/scoring/index.ts';
import { defaultHistoryStart, defaultScenario } from '../scenario.ts';
import { type QualityOptions, scenarioQuality } from './scenario-quality.ts';

// The harness with staff answering (edge-replay.ts ReplayStaff): one small store, the bundled model
// through the edge's own engine, answers through the agent's FeedbackIntake. What must hold whatever
// the model: answers only lower the level when they confirm alerts, and only the steered replay moves.
const dayMs = 86_400_000;
const quality = {
  name: 'one-store',
  scenario: { ...defaultScenario, seed: 77, stores: 1, skus: 30, basketsPerDay: 300, phantomPerDay: 3 },
  start: defaultHistoryStart + 30 * dayMs,
  warmUpDays: 28,
  scoredDays: 14,
};

describe('scenarioQuality with staff answers', () => {
  let work: string;
  let scorer: StockoutScorer;
  let options: Omit<QualityOptions, 'staff'>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tillgate-quality-'));
    scorer = await StockoutScorer.load(defaultModelDir, bundledPublicKeysPem());
    const levels = alertLevels({}, scorer);
    options = {
      scorer,
      settings: {
        raiseAbove: levels.raiseAbove,
        raiseHiddenEmptyAbove: levels.raiseHiddenEmptyAbove,
        clearBelow: levels.clearBelow,
        coolDownMs: defaults.alerts.coolDownMs,
        warmUpMs: quality.warmUpDays * dayMs,
        sweepEveryMs: defaults.alerts.sweepEveryMs,
      },
      horizonMs: 48 * 3_600_000,
      workDir: work,
    };
  });
  afterAll(async () => {
    await scorer?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const withStaff = (errorRate: number) =>
    scenarioQuality(quality, {
      ...options,
      staff: { answerShare: 1, errorRate, seed: 'test', steering: { targetPrecision: 0.8, step: 0.05, maxRelax: 0.3 } },
    });

  it('lowers the level where staff confirm the alerts, and reports the release-level replay beside it', async () => {
    const truthful = await withStaff(0);
    const release = options.settings.raiseHiddenEmptyAbove;
    expect(truthful.staff).toMatchObject({ answerShare: 1, errorRate: 0, wrong: 0 });
    expect(truthful.staff?.answered).toBeGreaterThan(0);
    // Every answer confirms (the model's alerts are mostly right): the level bottoms out halfway to the clear level.
    expect(truthful.staff?.final_hidden_empty_levels[0]).toBeCloseTo((release + options.settings.clearBelow) / 2, 3);
    // A lower level can only add hidden_empty alerts to what the release level raised.
    expect(truthful.model.detection.alerts).toBeGreaterThan(truthful.model_without_feedback?.detection.alerts ?? 0);
    expect(truthful.weeks).toHaveLength(2);
  }, 300_000);

  it('never lifts the level above the release level, however wrong the answers', async () => {
    const liars = await withStaff(1);
    expect(liars.staff?.wrong).toBe(liars.staff?.answered);
    expect(liars.staff?.final_hidden_empty_levels[0]).toBeLessThanOrEqual(options.settings.raiseHiddenEmptyAbove);
  }, 300_000);
});
