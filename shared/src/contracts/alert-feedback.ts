import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope.ts';
import { identifier, sku, timestamp } from './primitives.ts';

/**
 * What staff found at the shelf an alert sent them to: `empty` (the alert was right), `not_empty`
 * (a wasted walk), `fixed` (it was empty and is refilled now). These answers are the observed labels
 * the models learn from (MISSION.md "Store managers and staff ... answer them").
 */
export const feedbackAnswers = ['empty', 'not_empty', 'fixed'] as const;
export type FeedbackAnswer = (typeof feedbackAnswers)[number];

/** What a store display or handheld publishes on tillgate/<store>/alerts/<sku>/feedback. */
export const alertFeedbackMessage = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  /** Chosen by the display, stable across re-sends: the agent and the hub keep one answer per id. */
  feedback_id: identifier('feedback_id'),
  alert_id: identifier('alert_id'),
  answer: z.enum(feedbackAnswers, { error: 'answer must be one of empty, not_empty, fixed' }),
  /** When the person answered, on the display's clock. */
  answered_at: timestamp,
});
export type AlertFeedbackMessage = z.infer<typeof alertFeedbackMessage>;

/** The answer as the agent stores and forwards it (alert-feedback topic): the message plus who and where. */
export const alertFeedback = alertFeedbackMessage.extend({
  store_id: identifier('store_id'),
  sku,
  /** The display account that answered (MQTT user name). */
  display_id: identifier('display_id'),
  /** The agent's clock when it stored the answer. */
  received_at: timestamp,
});
export type AlertFeedback = z.infer<typeof alertFeedback>;
