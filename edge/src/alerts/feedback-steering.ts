import type { Alert, FeedbackAnswer, Logger } from '@tillgate/shared';
import type { EdgeStore, LevelSteering } from '../store/edge-store.ts';

/** How far staff answers may move a store's hidden_empty raise level (config alerts.feedback). */
export interface SteeringSettings {
  /** The share of answered hidden_empty alerts found right that the level settles at. */
  targetPrecision: number;
  /** Share of the release level one confirmed alert lowers it by. */
  step: number;
  /** The most the level may be lowered, as a share of the release level (0 turns steering off). */
  maxRelax: number;
}

/**
 * The hidden_empty raise level of this store, steered by its staff's answers. A release carries one
 * level for every store, but how often a silence the books contradict really is an empty shelf
 * differs from store to store (how much goes missing, how carefully deliveries are booked): the
 * small high-shrink store found 37 of 67 hidden stock-outs at the release level where a lower one
 * found 41, while the other stores' extra alerts at that level were wrong (issue 16). So each store
 * starts at the release level and every staff answer to one of its hidden_empty alerts moves it:
 * a shelf found empty lowers it by `step`, a shelf found stocked raises it by
 * step x target / (1 - target), which balances exactly where the answered alerts are right at the
 * target share. The level never rises above the release level (where answers stop coming, it would
 * stay stuck high) and never falls more than `maxRelax` below it.
 *
 * The lowering is a share of the release level and outlives a model swap: every release's level is
 * chosen for the same precision on the training histories, so how far this store sits from them
 * carries over, and a store that started again from nothing at every weekly release would spend
 * its life in its first week of answers.
 */
export class FeedbackSteering {
  readonly #store: EdgeStore;
  readonly #settings: SteeringSettings;
  readonly #log: Logger;
  /** The stored relax, as last read or written; undefined until first read. */
  #relax: number | undefined;

  constructor(store: EdgeStore, settings: SteeringSettings, log: Logger) {
    this.#store = store;
    this.#settings = settings;
    this.#log = log;
  }

  /**
   * The raise level for hidden_empty alerts of a model whose release level is `releaseLevel`; never
   * below halfway to the clear level, so an alert raised at the lowered level keeps its hysteresis.
   */
  level(releaseLevel: number, clearBelow: number): number {
    return Math.max(releaseLevel * (1 - this.#stored()), (releaseLevel + clearBelow) / 2);
  }

  /**
   * Counts a stored staff answer. Only the first answer to a raised hidden_empty alert moves the
   * level: a second display answering the same alert is not a second walk to a different shelf,
   * and `fixed` (a refill done) says nothing about whether the alert was right.
   */
  answered(alert: Alert, answer: FeedbackAnswer, at: Date): void {
    if (this.#settings.maxRelax <= 0 || alert.state !== 'raised' || alert.kind !== 'hidden_empty') return;
    if (answer === 'fixed') return;
    const confirmed = answer === 'empty';
    const stored = this.#store.steerOnAnswer(alert.alert_id, (current) => this.#next(current, confirmed, at));
    if (stored === null) return;
    const before = this.#stored();
    this.#relax = stored.relax;
    if (stored.relax !== before) {
      this.#log.info(
        {
          alert_id: alert.alert_id,
          relax: stored.relax,
          confirmed: stored.confirmed,
          refuted: stored.refuted,
        },
        `hidden_empty level ${confirmed ? 'lowered' : 'raised'} after staff found the shelf ${confirmed ? 'empty' : 'stocked'}`,
      );
    }
  }

  #next(current: LevelSteering | null, confirmed: boolean, at: Date): LevelSteering {
    const { step, targetPrecision, maxRelax } = this.#settings;
    const relax = current?.relax ?? 0;
    const moved = confirmed ? relax + step : relax - (step * targetPrecision) / (1 - targetPrecision);
    return {
      relax: Math.min(maxRelax, Math.max(0, moved)),
      confirmed: (current?.confirmed ?? 0) + (confirmed ? 1 : 0),
      refuted: (current?.refuted ?? 0) + (confirmed ? 0 : 1),
      updatedAt: at.toISOString(),
    };
  }

  #stored(): number {
    this.#relax ??= this.#store.levelSteering()?.relax ?? 0;
    return Math.min(this.#settings.maxRelax, this.#relax);
  }
}
