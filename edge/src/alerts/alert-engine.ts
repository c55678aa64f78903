import { randomUUID } from 'node:crypto';
import {
  type Alert,
  kafkaTopics,
  type Logger,
  mqttTopics,
  type SkuFeatureState,
  stockoutFeatures,
} from '@tillgate/shared';
import type { EdgeStore, TouchedSku } from '../store/edge-store.ts';
import { type AlertReason, alertReason } from './alert-reason.ts';

/** What the engine needs of a model; StockoutScorer (src/scoring) is one. */
export interface RiskScorer {
  readonly name: string;
  readonly version: string;
  /** The operating threshold the model was released with (manifest metrics.alert_threshold), if any. */
  readonly alertThreshold?: number | null;
  /** Its raise level for hidden_empty alerts (metrics.alert_threshold_hidden_empty), if it has one. */
  readonly hiddenEmptyThreshold?: number | null;
  scoreBatch(rows: Float32Array[]): Promise<Float32Array>;
}

export interface AlertEngineOptions {
  storeId: string;
  raiseAbove: number;
  /** The raise level when the evidence is a silence the books contradict (kind hidden_empty). */
  raiseHiddenEmptyAbove: number;
  clearBelow: number;
  coolDownMs: number;
  /**
   * No alert is raised for a risk scored at an instant earlier than the store's earliest scored event
   * (store.scoredSince) + warmUpMs. Training scored snapshots only from day 28 of each history, so
   * a younger state (units_28d averaging days the edge never saw) is outside what the model knows.
   * Store-level, as in training, where every SKU's history starts with the store's.
   */
  warmUpMs: number;
  /**
   * Event time between passes that score every SKU, not only the ones events moved; 0 = never. A
   * shelf emptied without a sale (phantom inventory, theft) produces no event at all: only a pass over
   * the silent SKUs can notice it, and training scored snapshots at any instant, not only at events.
   */
  sweepEveryMs: number;
}

type Touched = Map<string, TouchedSku>;

interface Scored {
  sku: string;
  state: SkuFeatureState;
  eventId: string;
  at: Date;
}

/**
 * Scores the SKUs each commit moved and turns risk into alerts. Hysteresis: an alert opens above
 * `raiseAbove` and closes only below `clearBelow`; cool-down: an SKU's alert state holds at least
 * `coolDownMs` after it changed. SKUs touched while a scoring run is in flight are merged into the
 * next run, so a burst is scored in one batched onnxruntime call.
 * All of it runs on event time: an SKU is scored, and its cool-down measured, at the occurred_at of
 * the event that moved it. Training computed the same features at snapshot instants on that clock
 * (hours since the last sale = at - the sale's occurred_at), and received_at/wall clock would differ
 * from it by however late events arrive (a backfill, a terminal that was offline, compressed
 * simulator time), turning every "hours since" feature and the cool-down into noise.
 * An alert is committed (alerts table + outbox for Kafka) before it is published retained on the
 * store's alert topic, so a display never sees an alert the hub will not.
 */
export class AlertEngine {
  readonly #store: EdgeStore;
  readonly #options: AlertEngineOptions;
  readonly #publish: (topic: string, payload: string) => Promise<void>;
  readonly #onAlert: (alert: Alert) => void;
  readonly #log: Logger;
  readonly #scorer: RiskScorer;
  #pending: Touched = new Map();
  /** Cache of store.scoredSince (epoch ms); undefined until first read. */
  #scoredSince: number | null | undefined;
  #running: Promise<void> | null = null;
  /** Event instant (epoch ms) at or after which the next pass over every SKU runs; set by the first batch. */
  #nextSweep: number | null = null;

  constructor(
    store: EdgeStore,
    scorer: RiskScorer,
    options: AlertEngineOptions,
    publish: (topic: string, payload: string) => Promise<void>,
    onAlert: (alert: Alert) => void,
    log: Logger,
  ) {
    this.#store = store;
    this.#scorer = scorer;
    this.#options = options;
    this.#publish = publish;
    this.#onAlert = onAlert;
    this.#log = log;
  }

  enqueue(touched: Touched): void {
    if (touched.size === 0) return;
    for (const [sku, entry] of touched) this.#pending.set(sku, entry);
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  /** Resolves when everything enqueued so far has been scored. */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = this.#pending;
      this.#pending = new Map();
      try {
        await this.#score(batch);
      } catch (error) {
        // A scoring failure must not stop intake; the next commit of these SKUs scores them again.
        this.#log.error({ err: error, skus: batch.size }, 'stock-out scoring failed');
      }
    }
  }

  async #score(batch: Touched): Promise<void> {
    const entries: Scored[] = [...batch].map(([sku, touched]) => ({
      sku,
      state: touched.state,
      eventId: touched.eventId,
      at: new Date(touched.occurredAt),
    }));
    const warmFrom = this.#advanceScoredSince(entries) + this.#options.warmUpMs;
    const alerts = await this.#decideAll([...entries, ...this.#sweep(entries, batch)], warmFrom);
    if (alerts.length === 0) return;
    this.#store.commitAlerts(alerts, kafkaTopics.restockAlerts);
    for (const alert of alerts) {
      this.#onAlert(alert);
      this.#publish(mqttTopics.alert(this.#options.storeId, alert.sku), JSON.stringify(alert)).catch((error) =>
        this.#log.warn({ err: error, sku: alert.sku }, 'could not publish an alert on MQTT'),
      );
    }
  }

  async #decideAll(entries: readonly Scored[], warmFrom: number): Promise<Alert[]> {
    // The store's state as of the last commit: with several events in one batch, an SKU scored at
    // an earlier trigger sees the store a few sales later (at most one group commit's worth).
    const store = this.#store.storeFeatureState();
    const rows = entries.map(({ state, at }) => stockoutFeatures(state, store, at));
    const risks = await this.#scorer.scoreBatch(rows);
    const alerts: Alert[] = [];
    entries.forEach((entry, index) => {
      const risk = risks[index] ?? 0;
      const features = rows[index] as Float32Array;
      const reason = alertReason(entry.state, features);
      const decision = this.#decide(entry, risk, entry.at.getTime() >= warmFrom, reason);
      if (decision !== null) alerts.push(this.#alert(entry, decision, risk, reason));
    });
    return alerts;
  }

  /**
   * Every SKU the batch did not move, at the batch's latest event instant, once the store's event
   * clock has passed the next sweep boundary (the trigger is the event that moved the clock there).
   */
  #sweep(entries: readonly Scored[], batch: Touched): Scored[] {
    const every = this.#options.sweepEveryMs;
    if (every <= 0 || entries.length === 0) return [];
    const latest = entries.reduce((a, b) => (b.at.getTime() > a.at.getTime() ? b : a));
    const now = latest.at.getTime();
    if (this.#nextSweep === null) this.#nextSweep = Math.floor(now / every) * every + every;
    if (now < this.#nextSweep) return [];
    this.#nextSweep = Math.floor(now / every) * every + every;
    const swept: Scored[] = [];
    for (const [sku, state] of this.#store.allSkuStates()) {
      if (!batch.has(sku)) swept.push({ sku, state, eventId: latest.eventId, at: latest.at });
    }
    return swept;
  }

  /** The earliest event instant ever scored, including this batch; written to the store only when it moves. */
  #advanceScoredSince(entries: readonly { at: Date }[]): number {
    if (this.#scoredSince === undefined) {
      const stored = this.#store.scoredSince();
      this.#scoredSince = stored === null ? null : Date.parse(stored);
    }
    const earliest = entries.reduce((min, e) => Math.min(min, e.at.getTime()), Number.POSITIVE_INFINITY);
    if (this.#scoredSince === null || earliest < this.#scoredSince) {
      this.#store.recordScoredSince(new Date(earliest).toISOString());
      this.#scoredSince = earliest;
    }
    return this.#scoredSince;
  }

  /**
   * Book stock at or below zero raises at once, whatever the model, warm-up or cool-down say, and
   * keeps the alert open: the rule is 99 % precise there (issue 16) and the model's job is what the
   * rule cannot see. A risk with no evidence a person could check (alertReason null) raises nothing;
   * a hidden_empty reason raises at its own level (AlertEngineOptions.raiseHiddenEmptyAbove).
   */
  #decide({ sku, state, at }: Scored, risk: number, warm: boolean, reason: AlertReason | null): Alert['state'] | null {
    const current = this.#store.alertState(sku);
    const open = current?.open ?? false;
    if (state.onHand <= 0) return open ? null : 'raised';
    const cooling = current !== null && at.getTime() - Date.parse(current.changedAt) < this.#options.coolDownMs;
    if (cooling) return null;
    if (!open && warm && reason !== null && risk >= this.#raiseLevel(reason.kind)) return 'raised';
    if (open && risk <= this.#options.clearBelow) return 'cleared';
    return null;
  }

  #raiseLevel(kind: AlertReason['kind']): number {
    return kind === 'hidden_empty' ? this.#options.raiseHiddenEmptyAbove : this.#options.raiseAbove;
  }

  #alert(
    { sku, state, eventId, at }: Scored,
    decision: Alert['state'],
    risk: number,
    found: AlertReason | null,
  ): Alert {
    // Only a clear can come without evidence (the shelf was restocked since the raise).
    const reason = found ?? { kind: 'will_run_out', why: 'restocked since the last sale' };
    const threshold = decision === 'raised' ? this.#raiseLevel(reason.kind) : this.#options.clearBelow;
    return {
      schema: 1,
      alert_id: randomUUID(),
      store_id: this.#options.storeId,
      sku,
      state: decision,
      kind: reason.kind,
      why:
        decision === 'raised'
          ? reason.why
          : `risk fell to ${risk.toFixed(2)} (below ${threshold.toFixed(2)}); ${reason.why}`,
      risk: Math.min(1, Math.max(0, risk)),
      threshold,
      on_hand: Math.round(state.onHand),
      model_name: this.#scorer.name,
      model_version: this.#scorer.version,
      trigger_event_id: eventId,
      at: at.toISOString(),
    };
  }
}
