import { describe, expect, it } from 'vitest';
import { defaults } from '../config.ts';
import { alertLevels } from './alert-levels.ts';

describe('alertLevels', () => {
  it("raises at the model's alert_threshold and clears at a fixed share of it", () => {
    expect(alertLevels({}, { alertThreshold: 0.3 })).toEqual({
      raiseAbove: 0.3,
      raiseHiddenEmptyAbove: 0.3,
      clearBelow: 0.3 * defaults.alerts.clearFactor,
      source: 'model',
    });
  });

  it("raises hidden_empty alerts at the model's own level for them and clears below the lower level", () => {
    expect(alertLevels({}, { alertThreshold: 0.95, hiddenEmptyThreshold: 0.8 })).toEqual({
      raiseAbove: 0.95,
      raiseHiddenEmptyAbove: 0.8,
      clearBelow: 0.8 * defaults.alerts.clearFactor,
      source: 'model',
    });
  });

  it('lets the config override any level; a configured raise level holds for both kinds', () => {
    const model = { alertThreshold: 0.3, hiddenEmptyThreshold: 0.2 };
    expect(alertLevels({ raiseAbove: 0.8 }, model)).toMatchObject({
      raiseAbove: 0.8,
      raiseHiddenEmptyAbove: 0.8,
      source: 'config',
    });
    expect(alertLevels({ raiseAbove: 0.8, raiseHiddenEmptyAbove: 0.6 }, model)).toMatchObject({
      raiseAbove: 0.8,
      raiseHiddenEmptyAbove: 0.6,
    });
    expect(alertLevels({ clearBelow: 0.1 }, model)).toMatchObject({
      raiseAbove: 0.3,
      clearBelow: 0.1,
    });
  });

  it('falls back to a fixed level for a model released without a threshold', () => {
    expect(alertLevels({}, { alertThreshold: null })).toMatchObject({
      raiseAbove: defaults.alerts.fallbackRaiseAbove,
      raiseHiddenEmptyAbove: defaults.alerts.fallbackRaiseAbove,
      source: 'fallback',
    });
  });

  it('refuses a clear level at or above either raise level, and a raise level outside (0, 1], naming its source', () => {
    expect(() => alertLevels({ clearBelow: 0.5 }, { alertThreshold: 0.3 })).toThrow(
      expect.objectContaining({
        code: 'TG_EDGE_BAD_ALERT_LEVELS',
        message: expect.stringMatching(/alerts\.clearBelow 0\.5 .*0\.3 .*metrics\.alert_threshold\)/),
      }),
    );
    expect(() => alertLevels({ clearBelow: 0.5 }, { alertThreshold: 0.9, hiddenEmptyThreshold: 0.4 })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/0\.4 .*metrics\.alert_threshold_hidden_empty/) }),
    );
    expect(() => alertLevels({}, { alertThreshold: 1.5 })).toThrow(
      expect.objectContaining({ code: 'TG_EDGE_BAD_ALERT_LEVELS' }),
    );
    expect(() => alertLevels({}, { alertThreshold: 0.9, hiddenEmptyThreshold: 0 })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/alert_threshold_hidden_empty is 0/) }),
    );
  });
});
