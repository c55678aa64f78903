import { randomUUID } from 'node:crypto';
import { type Alert, type AlertFeedbackMessage, mqttTopics } from '@tillgate/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { staffAnswer } from './alert-quality/observed-labels.ts';
import { Rng } from './random.ts';

export interface StaffOptions {
  storeId: string;
  mqttUrl: string;
  /** A display account of the store's agent (mqtt.displays). */
  displayId: string;
  password: string;
  /** Share of raised alerts someone walks to the shelf for and answers (0..1). */
  answerShare: number;
  /** Probability an answer is wrong (empty <-> not_empty): people misread shelves too. */
  errorRate: number;
  seed: number;
  /** The ground truth: is the shelf empty at this instant? (a live run's open stock-outs). */
  shelfEmpty: (sku: string, atMs: number) => boolean;
}

/**
 * The store's staff answering alerts the way a display would: for a share of the raised alerts,
 * walk to the shelf and say what is there, truthfully except for a configurable error rate, so the
 * feedback loop (and a model trained on it) can be measured against the simulator's ground truth.
 */
export class StaffAnswers {
  readonly counts = { alerts: 0, answered: 0, wrong: 0, empty: 0, not_empty: 0 };
  readonly #options: StaffOptions;
  readonly #client: MqttClient;
  readonly #rng: Rng;
  #pending: Promise<unknown> = Promise.resolve();
  /** Alerts seen: a retained alert is delivered again on every (re)subscription, answered once. */
  readonly #seen = new Set<string>();

  private constructor(options: StaffOptions, client: MqttClient) {
    this.#options = options;
    this.#client = client;
    this.#rng = new Rng(`staff:${options.seed}:${options.storeId}`);
  }

  static async start(options: StaffOptions): Promise<StaffAnswers> {
    const client = await mqtt.connectAsync(options.mqttUrl, {
      clientId: `${options.displayId}-staff-${randomUUID().slice(0, 8)}`,
      username: options.displayId,
      password: options.password,
    });
    const staff = new StaffAnswers(options, client);
    client.on('message', (topic, payload) => staff.#onMessage(topic, payload));
    await client.subscribeAsync(mqttTopics.alertsWildcard(options.storeId), { qos: 1 });
    return staff;
  }

  #onMessage(topic: string, payload: Buffer): void {
    if (topic.endsWith('/feedback')) return;
    const alert = JSON.parse(payload.toString('utf8')) as Alert;
    if (alert.state !== 'raised' || this.#seen.has(alert.alert_id)) return;
    this.#seen.add(alert.alert_id);
    this.counts.alerts++;
    const empty = this.#options.shelfEmpty(alert.sku, Date.parse(alert.at));
    const answer = staffAnswer(this.#rng, empty, this.#options);
    if (answer === null) return;
    this.counts.answered++;
    this.counts[answer]++;
    if ((answer === 'empty') !== empty) this.counts.wrong++;
    const message: AlertFeedbackMessage = {
      schema: 1,
      feedback_id: `staff-${alert.alert_id}`,
      alert_id: alert.alert_id,
      answer,
      answered_at: alert.at,
    };
    this.#pending = this.#pending.then(() =>
      this.#client.publishAsync(mqttTopics.alertFeedback(this.#options.storeId, alert.sku), JSON.stringify(message), {
        qos: 1,
      }),
    );
  }

  /** Waits for every answer to be acknowledged by the agent, then disconnects. */
  async stop(): Promise<void> {
    await this.#pending;
    await this.#client.endAsync();
  }
}
