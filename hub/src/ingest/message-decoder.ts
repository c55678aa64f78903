import {
  type Alert,
  type AlertFeedback,
  alert,
  alertFeedback,
  contractReasonOf,
  eventAgeLimits,
  type Heartbeat,
  heartbeat,
  issuePath,
  type KafkaTopic,
  kafkaTopics,
  type StoreEvent,
  storeEvent,
  tooOldReason,
  topicForEventType,
  type ZReportForward,
  zReportForward,
} from '@tillgate/shared';
import type { z } from 'zod';
import {
  alertRows,
  eventRows,
  feedbackRows,
  heartbeatRows,
  type KafkaOrigin,
  type TableRows,
  zReportRows,
} from './table-rows.ts';

/** Why a message cannot be ingested, in the terms of the contract: which field, what is wrong. */
export interface Rejection {
  field: string;
  reason: string;
}

type Message =
  | { kind: 'event'; value: StoreEvent }
  | { kind: 'alert'; value: Alert }
  | { kind: 'feedback'; value: AlertFeedback }
  | { kind: 'heartbeat'; value: Heartbeat }
  | { kind: 'z_report'; value: ZReportForward };

/** A message that passed its topic's contract, with what the lake files it under. */
export interface Valid {
  ok: true;
  message: Message;
  id: string;
  type: string;
  storeId: string;
  occurredAt: string;
}

export type Validated = Valid | { ok: false; rejection: Rejection };
export type Decoded = (Valid & { rows: TableRows }) | { ok: false; rejection: Rejection };

const reject = (field: string, reason: string) => ({ ok: false as const, rejection: { field, reason } });

function fromIssue(error: z.ZodError) {
  const issue = error.issues[0];
  if (issue === undefined) return reject('(payload)', 'does not match the contract');
  return reject(issuePath(issue, '(payload)'), contractReasonOf(issue));
}

/**
 * Validates one Kafka message with the shared contract of its topic. Never throws on bad input: a
 * poison message is a Rejection, and ingestion goes on.
 */
export function validateMessage(topic: KafkaTopic, value: Buffer | null): Validated {
  if (value === null || value.length === 0) return reject('(payload)', 'message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return reject('(payload)', `not valid JSON (${(error as Error).message})`);
  }
  if (topic === kafkaTopics.restockAlerts) {
    const parsed = alert.safeParse(json);
    if (!parsed.success) return fromIssue(parsed.error);
    const { data } = parsed;
    return {
      ok: true,
      message: { kind: 'alert', value: data },
      id: data.alert_id,
      type: 'alert',
      storeId: data.store_id,
      occurredAt: data.at,
    };
  }
  if (topic === kafkaTopics.alertFeedback) {
    const parsed = alertFeedback.safeParse(json);
    if (!parsed.success) return fromIssue(parsed.error);
    const { data } = parsed;
    return {
      ok: true,
      message: { kind: 'feedback', value: data },
      id: data.feedback_id,
      type: 'alert_feedback',
      storeId: data.store_id,
      occurredAt: data.answered_at,
    };
  }
  if (topic === kafkaTopics.edgeHeartbeats) {
    const parsed = heartbeat.safeParse(json);
    if (!parsed.success) return fromIssue(parsed.error);
    const { data } = parsed;
    return {
      ok: true,
      message: { kind: 'heartbeat', value: data },
      id: `${data.store_id}@${data.sent_at}`,
      type: 'heartbeat',
      storeId: data.store_id,
      occurredAt: data.sent_at,
    };
  }
  if (topic === kafkaTopics.zReports) {
    const parsed = zReportForward.safeParse(json);
    if (!parsed.success) return fromIssue(parsed.error);
    const { report, edge_result: result } = parsed.data;
    for (const key of ['report_id', 'store_id', 'terminal_id', 'business_day'] as const) {
      if (result[key] !== report[key]) {
        return reject(`edge_result.${key}`, `is "${result[key]}" but the report's is "${report[key]}"`);
      }
    }
    return {
      ok: true,
      message: { kind: 'z_report', value: parsed.data },
      id: `${report.report_id}@${result.reconciled_at}`,
      type: 'z_report',
      storeId: report.store_id,
      occurredAt: report.closed_at,
    };
  }
  const parsed = storeEvent.safeParse(json);
  if (!parsed.success) return fromIssue(parsed.error);
  const event = parsed.data;
  if (topicForEventType[event.type] !== topic) {
    return reject('type', `a ${event.type} event belongs on ${topicForEventType[event.type]}, not on ${topic}`);
  }
  const stale = staleReason(event);
  if (stale !== null) return reject('occurred_at', stale);
  return {
    ok: true,
    message: { kind: 'event', value: event },
    id: event.event_id,
    type: event.type,
    storeId: event.store_id,
    occurredAt: event.occurred_at,
  };
}

/**
 * The edge's lower bound on occurred_at again (an edge that predates it, or a record written to
 * Kafka by other means), measured against the edge's received_at, not the hub clock, so a store
 * that forwards its backlog after days of WAN outage is not refused.
 */
function staleReason(event: StoreEvent): string | null {
  const late = tooOldReason(
    event.occurred_at,
    new Date(event.received_at),
    eventAgeLimits.maxMs,
    `its received_at ${event.received_at}`,
  );
  return late === null ? null : `${late}; check the terminal clock`;
}

/** validateMessage, then the message's raw-table rows. */
export function decodeMessage(topic: KafkaTopic, value: Buffer | null, origin: KafkaOrigin): Decoded {
  const valid = validateMessage(topic, value);
  if (!valid.ok) return valid;
  const { message } = valid;
  const rows =
    message.kind === 'event'
      ? eventRows(message.value, origin)
      : message.kind === 'alert'
        ? alertRows(message.value, origin)
        : message.kind === 'feedback'
          ? feedbackRows(message.value, origin)
          : message.kind === 'z_report'
            ? zReportRows(message.value, origin)
            : heartbeatRows(message.value, origin);
  return { ...valid, rows };
}
