import { describe, expect, it } from 'vitest';
import { defaults } from '../config.ts';
import { alertLevels } from './alert-levels.ts';

describe('alertLevels', () => {
  it("raises at the model's alert_threshold and clears at a fixed share of it", () => {
    expect(alertLevels({}, 0.3)).toEqual({
      raiseAbove: 0.3,
      clearBelow: 0.3 * defaults.alerts.clearFactor,
      source: 'model',
    });
  });

  it('lets the config override either level', () => {
    expect(alertLevels({ raiseAbove: 0.8 }, 0.3)).toMatchObject({
      raiseAbove: 0.8,
      source: 'config',
    });
    expect(alertLevels({ clearBelow: 0.1 }, 0.3)).toMatchObject({
      raiseAbove: 0.3,
      clearBelow: 0.1,
    });
  });

  it('falls back to a fixed level for a model released without a threshold', () => {
    expect(alertLevels({}, null)).toMatchObject({
      raiseAbove: defaults.alerts.fallbackRaiseAbove,
      source: 'fallback',
    });
  });

  it("refuses a configured clear level at or above the model's raise level, naming both", () => {
    expect(() => alertLevels({ clearBelow: 0.5 }, 0.3)).toThrow(
      expect.objectContaining({
        code: 'TG_EDGE_BAD_ALERT_LEVELS',
        message: expect.stringMatching(/alerts\.clearBelow 0\.5 .*0\.3 .*metrics\.alert_threshold/),
      }),
    );
    expect(() => alertLevels({}, 1.5)).toThrow(expect.objectContaining({ code: 'TG_EDGE_BAD_ALERT_LEVELS' }));
  });
});
