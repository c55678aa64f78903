import {
  type Alert,
  type AlertFeedback,
  alertFeedbackMessage,
  contractReasonOf,
  issuePath,
  kafkaTopics,
  type Logger,
} from '@tillgate/shared';
import type { FeedbackSteering } from '../alerts/feedback-steering.ts';
import { edgeErrorCodes } from '../errors.ts';
import type { EdgeStore } from '../store/edge-store.ts';

/** Bytes of a feedback message: three short fields; anything bigger is not a display answering. */
const maxFeedbackBytes = 2_048;
const feedbackTopic = /^tillgate\/([^/]+)\/alerts\/([^/]+)\/feedback$/;

export type FeedbackOutcome = 'stored' | 'duplicate' | 'rejected';

/**
 * A staff answer to an alert (tillgate/<store>/alerts/<sku>/feedback, display accounts only): checked
 * against the contract and against the agent's own alerts (the alert must exist and be about this
 * SKU), then stored and forwarded on alert-feedback in one transaction. A bad answer is recorded in
 * the rejects table with its reason and changes nothing; the display still gets its PUBACK, since
 * re-sending the same bad answer cannot make it good. A stored answer also steers the store's
 * hidden_empty level (src/alerts/feedback-steering.ts).
 */
export class FeedbackIntake {
  readonly #store: EdgeStore;
  readonly #storeId: string;
  readonly #log: Logger;
  readonly #steering: FeedbackSteering | null;
  readonly counters = { stored: 0, duplicates: 0, rejected: 0 };

  constructor(store: EdgeStore, storeId: string, log: Logger, steering: FeedbackSteering | null = null) {
    this.#store = store;
    this.#storeId = storeId;
    this.#log = log;
    this.#steering = steering;
  }

  accept(topic: string, displayId: string, payload: Buffer, now = new Date()): FeedbackOutcome {
    const checked = this.#check(topic, displayId, payload, now);
    if ('field' in checked) {
      this.counters.rejected++;
      this.#log.warn({ displayId, topic, field: checked.field, reason: checked.reason }, 'rejected alert feedback');
      this.#store.commitIntake([
        {
          kind: 'reject',
          receivedAt: now.toISOString(),
          terminalId: displayId,
          topic,
          eventId: checked.feedbackId,
          field: checked.field,
          reason: checked.reason,
          code: edgeErrorCodes.badFeedback,
          payload: payload.toString('utf8').slice(0, maxFeedbackBytes),
        },
      ]);
      return 'rejected';
    }
    const { alert, ...feedback } = checked;
    const outcome = this.#store.commitFeedback(feedback, kafkaTopics.alertFeedback);
    if (outcome === 'stored') {
      this.counters.stored++;
      this.#steering?.answered(alert, feedback.answer, now);
    } else this.counters.duplicates++;
    return outcome;
  }

  #check(
    topic: string,
    displayId: string,
    payload: Buffer,
    now: Date,
  ): (AlertFeedback & { alert: Alert }) | { field: string; reason: string; feedbackId: string | null } {
    const bad = (field: string, reason: string, feedbackId: string | null = null) => ({ field, reason, feedbackId });
    const [, storeId, sku] = feedbackTopic.exec(topic) ?? [];
    if (storeId !== this.#storeId || sku === undefined)
      return bad('(topic)', `${topic} is not this store's feedback topic`);
    if (payload.length > maxFeedbackBytes)
      return bad('(payload)', `${payload.length} bytes; the limit is ${maxFeedbackBytes}`);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return bad('(payload)', `not valid JSON (${(error as Error).message})`);
    }
    const parsed = alertFeedbackMessage.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return issue === undefined
        ? bad('(payload)', 'does not match the contract')
        : bad(issuePath(issue, '(payload)'), contractReasonOf(issue));
    }
    const message = parsed.data;
    const alert = this.#store.alertById(message.alert_id);
    if (alert === null) {
      return bad(
        'alert_id',
        `no alert ${message.alert_id} was raised by this agent (or it was pruned)`,
        message.feedback_id,
      );
    }
    if (alert.sku !== sku) {
      return bad(
        'alert_id',
        `alert ${message.alert_id} is about ${alert.sku}, not ${sku}; answer it on its own topic`,
        message.feedback_id,
      );
    }
    return { ...message, store_id: this.#storeId, sku, display_id: displayId, received_at: now.toISOString(), alert };
  }
}
