import type { RiskScorer } from '../alerts/alert-engine.ts';
import { crashPoint } from './crash-point.ts';
import { UpdateError, updateErrorCodes } from './errors.ts';
import type { ShadowRun } from './shadow-run.ts';

/** A loaded model and the raise level the alert engine uses with it. */
export interface LoadedModel {
  scorer: RiskScorer & { close(): Promise<void> };
  raiseAbove: number;
  raiseHiddenEmptyAbove: number;
  clearBelow: number;
}

export interface SwapWatch {
  previous: LoadedModel;
  minRows: number;
  maxAlertRate: number;
  onFailure(error: UpdateError): void;
}

/**
 * The scorer the alert engine holds for the agent's whole life; the updater changes what is behind
 * it. The active model answers every batch; a shadow candidate scores the same rows off the alert
 * path (its promise is not awaited by the engine); after a swap, a failing batch (error or NaN) is
 * re-scored by the previous model at once, so a bad release never costs an alert.
 */
export class ModelSlotScorer implements RiskScorer {
  #active: LoadedModel;
  #shadow: { model: LoadedModel; run: ShadowRun } | null = null;
  #watch: (SwapWatch & { rows: number; alerts: number }) | null = null;
  #shadowInFlight: Promise<unknown> = Promise.resolve();

  constructor(active: LoadedModel) {
    this.#active = active;
  }

  get name(): string {
    return this.#active.scorer.name;
  }

  get version(): string {
    return this.#active.scorer.version;
  }

  get alertThreshold(): number | null {
    return this.#active.scorer.alertThreshold ?? null;
  }

  get hiddenEmptyThreshold(): number | null {
    return this.#active.scorer.hiddenEmptyThreshold ?? null;
  }

  get active(): LoadedModel {
    return this.#active;
  }

  startShadow(model: LoadedModel, run: ShadowRun): void {
    this.#shadow = { model, run };
  }

  /** Ends the shadow and returns its candidate (to swap in or to close). */
  async stopShadow(): Promise<LoadedModel | null> {
    const shadow = this.#shadow;
    this.#shadow = null;
    await this.#shadowInFlight;
    return shadow?.model ?? null;
  }

  /** The swap in memory: `next` answers from the next batch on; returns the model it replaced. */
  swapTo(next: LoadedModel, watch: SwapWatch | null): LoadedModel {
    const previous = this.#active;
    this.#active = next;
    this.#watch = watch === null ? null : { ...watch, rows: 0, alerts: 0 };
    return previous;
  }

  /** Whether the post-swap watch has seen enough rows to judge (a quiet store keeps watching longer). */
  watchJudged(): boolean {
    return this.#watch === null || this.#watch.rows >= this.#watch.minRows;
  }

  /** Ends the post-swap watch once it passed; returns the previous model (to close). */
  endWatch(): LoadedModel | null {
    const previous = this.#watch?.previous ?? null;
    this.#watch = null;
    return previous;
  }

  async scoreBatch(rows: Float32Array[]): Promise<Float32Array> {
    const watch = this.#watch;
    if (watch !== null) crashPoint('watch-scoring');
    let scores: Float32Array;
    try {
      scores = await this.#active.scorer.scoreBatch(rows);
      if (watch !== null && scores.some((score) => !Number.isFinite(score))) {
        throw new UpdateError(updateErrorCodes.scoringFailed, `${this.version} returned NaN scores after the swap`);
      }
    } catch (error) {
      if (watch === null || this.#watch !== watch) throw error;
      this.#rollBack(
        watch,
        error instanceof UpdateError
          ? error
          : new UpdateError(
              updateErrorCodes.scoringFailed,
              `${this.version} failed to score after the swap: ${(error as Error).message}`,
              {
                cause: error,
              },
            ),
      );
      return this.#active.scorer.scoreBatch(rows);
    }
    if (watch !== null && this.#watch === watch) {
      watch.rows += scores.length;
      for (const score of scores) if (score >= this.#active.raiseAbove) watch.alerts++;
      if (watch.rows >= watch.minRows && watch.alerts / watch.rows > watch.maxAlertRate) {
        this.#rollBack(
          watch,
          new UpdateError(
            updateErrorCodes.alertRateExploded,
            `${this.version} alerted on ${watch.alerts} of ${watch.rows} scored rows after the swap (limit ${(watch.maxAlertRate * 100).toFixed(1)} %)`,
          ),
        );
      }
    }
    const shadow = this.#shadow;
    if (shadow !== null) {
      this.#shadowInFlight = shadow.model.scorer.scoreBatch(rows).then(
        (candidate) => shadow.run.observe(scores, candidate),
        (error: unknown) => shadow.run.observe(scores, error instanceof Error ? error : new Error(String(error))),
      );
    }
    return scores;
  }

  #rollBack(watch: SwapWatch, reason: UpdateError): void {
    this.#active = watch.previous;
    this.#watch = null;
    watch.onFailure(reason);
  }
}
