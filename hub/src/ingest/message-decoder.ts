import { alert, heartbeat, type KafkaTopic, kafkaTopics, storeEvent, topicForEventType } from '@tillgate/shared';
import type { z } from 'zod';
import { alertRows, eventRows, heartbeatRows, type KafkaOrigin, type TableRows } from './table-rows.ts';

/** Why a message cannot be ingested, in the terms of the contract: which field, what is wrong. */
export interface Rejection {
  field: string;
  reason: string;
}

/** A valid message: its raw-table rows plus what the lake files it under. */
export interface Accepted {
  ok: true;
  rows: TableRows;
  id: string;
  type: string;
  storeId: string;
  occurredAt: string;
}

export type Decoded = Accepted | { ok: false; rejection: Rejection };

const reject = (field: string, reason: string): Decoded => ({ ok: false, rejection: { field, reason } });

function fromIssue(error: z.ZodError): Decoded {
  const issue = error.issues[0];
  if (issue === undefined) return reject('(payload)', 'does not match the contract');
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const reason = issue.code === 'unrecognized_keys' ? 'is not a field of contract v1' : issue.message;
  return reject(path.length === 0 ? '(payload)' : path.join('.'), reason);
}

/**
 * Validates one Kafka message with the shared contract of its topic and maps it to raw-table rows.
 * Never throws on bad input: a poison message is a Rejection, and ingestion goes on.
 */
export function decodeMessage(topic: KafkaTopic, value: Buffer | null, origin: KafkaOrigin): Decoded {
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
      rows: alertRows(data, origin),
      id: data.alert_id,
      type: 'alert',
      storeId: data.store_id,
      occurredAt: data.at,
    };
  }
  if (topic === kafkaTopics.edgeHeartbeats) {
    const parsed = heartbeat.safeParse(json);
    if (!parsed.success) return fromIssue(parsed.error);
    const beat = parsed.data;
    const id = `${beat.store_id}@${beat.sent_at}`;
    return {
      ok: true,
      rows: heartbeatRows(beat, origin),
      id,
      type: 'heartbeat',
      storeId: beat.store_id,
      occurredAt: beat.sent_at,
    };
  }
  const parsed = storeEvent.safeParse(json);
  if (!parsed.success) return fromIssue(parsed.error);
  const event = parsed.data;
  if (topicForEventType[event.type] !== topic) {
    return reject('type', `a ${event.type} event belongs on ${topicForEventType[event.type]}, not on ${topic}`);
  }
  const rows = eventRows(event, origin);
  return {
    ok: true,
    rows,
    id: event.event_id,
    type: event.type,
    storeId: event.store_id,
    occurredAt: event.occurred_at,
  };
}
