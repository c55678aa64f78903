import { type PosPayloadLimits, parsePosPayload, type StoreEvent, sharedErrorCodes } from '@tillgate/shared';
import type { IntakeItem } from '../store/edge-store.ts';
import { skusOf } from '../store/skus-of.ts';

/** What a terminal reads on its replies topic when a message is refused. */
export interface RejectReply {
  event_id?: string;
  field: string;
  reason: string;
  code: string;
}

export interface PosMessageRules {
  storeId: string;
  limits: PosPayloadLimits;
  /** Known SKUs; null accepts any SKU the contract allows. */
  catalog: ReadonlySet<string> | null;
}

/** Up to 4 KiB of a rejected payload is kept for IT; the rest is noise in the dead-letter table. */
const keptPayloadBytes = 4_096;

/**
 * Turns one MQTT message from a terminal into what the store commits: the stamped event, or a reject
 * with the field and reason the terminal will be told. Checks beyond the contract: the event must be
 * for this store, from the terminal whose topic (and account) it came on, and name known SKUs.
 */
export function classifyPosMessage(
  rules: PosMessageRules,
  topic: string,
  terminalId: string,
  payload: Buffer,
  receivedAt: Date,
): { item: IntakeItem; reply: RejectReply | null } {
  const parsed = parsePosPayload(payload, receivedAt, rules.limits);
  if (!parsed.ok) {
    return reject(topic, terminalId, payload, receivedAt, parsed.violation.field, parsed.violation.reason);
  }
  const event = parsed.event;
  const mismatch = wrongOrigin(rules, event, terminalId) ?? unknownSku(rules, event);
  if (mismatch !== null) {
    return reject(topic, terminalId, payload, receivedAt, mismatch.field, mismatch.reason, event.event_id);
  }
  return { item: { kind: 'event', event, payload: JSON.stringify(event) }, reply: null };
}

function wrongOrigin(rules: PosMessageRules, event: StoreEvent, terminalId: string) {
  if (event.store_id !== rules.storeId) {
    return { field: 'store_id', reason: `is "${event.store_id}" but this agent serves store "${rules.storeId}"` };
  }
  if (event.terminal_id !== terminalId) {
    return { field: 'terminal_id', reason: `is "${event.terminal_id}" but was published by terminal "${terminalId}"` };
  }
  return null;
}

function unknownSku(rules: PosMessageRules, event: StoreEvent) {
  if (rules.catalog === null) return null;
  const unknown = skusOf(event).find((sku) => !rules.catalog?.has(sku));
  return unknown === undefined ? null : { field: 'sku', reason: `"${unknown}" is not in the store catalog` };
}

function reject(
  topic: string,
  terminalId: string,
  payload: Buffer,
  receivedAt: Date,
  field: string,
  reason: string,
  eventId: string | null = eventIdOf(payload),
): { item: IntakeItem; reply: RejectReply } {
  const code = sharedErrorCodes.contractViolation;
  return {
    item: {
      kind: 'reject',
      receivedAt: receivedAt.toISOString(),
      terminalId,
      topic,
      eventId,
      field,
      reason,
      code,
      payload: payload.subarray(0, keptPayloadBytes).toString('utf8'),
    },
    reply: { ...(eventId === null ? {} : { event_id: eventId }), field, reason, code },
  };
}

/** Best effort: name the event in the reply even when the rest of the payload is broken. */
function eventIdOf(payload: Buffer): string | null {
  try {
    const value = JSON.parse(payload.toString('utf8')) as { event_id?: unknown };
    return typeof value.event_id === 'string' && value.event_id.length <= 64 ? value.event_id : null;
  } catch {
    return null;
  }
}
