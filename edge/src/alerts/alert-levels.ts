import type { EdgeConfig } from '../config.ts';
import { defaults } from '../config.ts';
import { EdgeError, edgeErrorCodes } from '../errors.ts';

export interface AlertLevels {
  raiseAbove: number;
  clearBelow: number;
  /** Where raiseAbove came from, for the start-up log. */
  source: 'config' | 'model' | 'fallback';
}

/**
 * The risk levels the alert engine works with. The raise level belongs to the model: each release's
 * manifest carries the operating threshold the pipeline chose for it (metrics.alert_threshold), and a
 * fixed number in the config would be wrong for the next model. The config may still override both.
 */
export function alertLevels(
  config: Pick<EdgeConfig['alerts'], 'raiseAbove' | 'clearBelow'>,
  modelThreshold: number | null,
): AlertLevels {
  const source = config.raiseAbove !== undefined ? 'config' : modelThreshold !== null ? 'model' : 'fallback';
  const raiseAbove = config.raiseAbove ?? modelThreshold ?? defaults.alerts.fallbackRaiseAbove;
  if (!(raiseAbove > 0 && raiseAbove <= 1)) {
    throw new EdgeError(
      edgeErrorCodes.badAlertLevels,
      `the model's metrics.alert_threshold is ${raiseAbove}; it must be in (0, 1] (or set alerts.raiseAbove)`,
    );
  }
  const clearBelow = config.clearBelow ?? raiseAbove * defaults.alerts.clearFactor;
  if (clearBelow >= raiseAbove) {
    throw new EdgeError(
      edgeErrorCodes.badAlertLevels,
      `alerts.clearBelow ${clearBelow} must be below the raise level ${raiseAbove} (${source === 'config' ? 'alerts.raiseAbove' : "the model's metrics.alert_threshold"})`,
    );
  }
  return { raiseAbove, clearBelow, source };
}
