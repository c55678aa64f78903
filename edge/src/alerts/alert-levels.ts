import type { EdgeConfig } from '../config.ts';
import { defaults } from '../config.ts';
import { EdgeError, edgeErrorCodes } from '../errors.ts';

export interface AlertLevels {
  raiseAbove: number;
  /**
   * The level a hidden_empty alert (a silence the books contradict) raises at. A release may set it
   * below raiseAbove: the silence is evidence the risk alone does not carry, and phantom inventory is
   * what the in-store alert is for (issue 16: detection recall 0.55 on the small store at one level).
   */
  raiseHiddenEmptyAbove: number;
  clearBelow: number;
  /** Where raiseAbove came from, for the start-up log. */
  source: 'config' | 'model' | 'fallback';
}

/** The operating levels a release's manifest carries (metrics.alert_threshold[_hidden_empty]). */
export interface ModelThresholds {
  alertThreshold: number | null;
  hiddenEmptyThreshold?: number | null;
}

/**
 * The risk levels the alert engine works with. The raise levels belong to the model: each release's
 * manifest carries the operating thresholds the pipeline chose for it, and a fixed number in the
 * config would be wrong for the next model. The config may still override them; a configured
 * raiseAbove applies to both kinds unless raiseHiddenEmptyAbove is configured too. The clear level
 * defaults to a share of the lower raise level, so hysteresis holds for both kinds.
 */
export function alertLevels(
  config: Pick<EdgeConfig['alerts'], 'raiseAbove' | 'raiseHiddenEmptyAbove' | 'clearBelow'>,
  model: ModelThresholds,
): AlertLevels {
  const modelThreshold = model.alertThreshold;
  const source = config.raiseAbove !== undefined ? 'config' : modelThreshold !== null ? 'model' : 'fallback';
  const raiseAbove = config.raiseAbove ?? modelThreshold ?? defaults.alerts.fallbackRaiseAbove;
  const raiseHiddenEmptyAbove =
    config.raiseHiddenEmptyAbove ??
    (config.raiseAbove !== undefined ? raiseAbove : (model.hiddenEmptyThreshold ?? raiseAbove));
  const origin = (key: 'raiseAbove' | 'raiseHiddenEmptyAbove', metric: string) =>
    config[key] !== undefined ? `alerts.${key}` : `the model's metrics.${metric}`;
  for (const [level, name] of [
    [raiseAbove, origin('raiseAbove', 'alert_threshold')],
    [raiseHiddenEmptyAbove, origin('raiseHiddenEmptyAbove', 'alert_threshold_hidden_empty')],
  ] as const) {
    if (!(level > 0 && level <= 1)) {
      throw new EdgeError(edgeErrorCodes.badAlertLevels, `${name} is ${level}; it must be in (0, 1]`);
    }
  }
  const lowest = Math.min(raiseAbove, raiseHiddenEmptyAbove);
  const clearBelow = config.clearBelow ?? lowest * defaults.alerts.clearFactor;
  if (clearBelow >= lowest) {
    const name =
      lowest === raiseAbove
        ? origin('raiseAbove', 'alert_threshold')
        : origin('raiseHiddenEmptyAbove', 'alert_threshold_hidden_empty');
    throw new EdgeError(
      edgeErrorCodes.badAlertLevels,
      `alerts.clearBelow ${clearBelow} must be below the raise level ${lowest} (${name})`,
    );
  }
  return { raiseAbove, raiseHiddenEmptyAbove, clearBelow, source };
}
