import type { z } from 'zod';
import { ContractViolation } from '../errors.ts';
import { issuePath } from '../zod-issue-path.ts';
import { eventAgeLimits, tooOldReason } from './event-age.ts';
import { posEvent, type StoreEvent } from './pos-event.ts';

export interface PosPayloadLimits {
  /** Largest accepted payload in bytes. A 500-line basket is ~40 KiB; anything bigger is a bug or abuse. */
  maxBytes: number;
  /** How far a terminal clock may run ahead of the edge clock before the event is refused, in ms. */
  futureToleranceMs: number;
  /** How far before the edge clock occurred_at may lie, in ms (at most eventAgeLimits.maxMs, the hub's bound). */
  maxAgeMs: number;
}

export const defaultPosPayloadLimits: PosPayloadLimits = {
  maxBytes: 64 * 1024,
  futureToleranceMs: 5 * 60_000,
  maxAgeMs: eventAgeLimits.defaultMs,
};

export type PosPayloadResult = { ok: true; event: StoreEvent } | { ok: false; violation: ContractViolation };

/** The reason a vendor reads: an unknown key gets one fixed wording instead of zod's key list. */
export function contractReasonOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? 'is not a field of contract v1' : issue.message;
}

/**
 * Turns the raw bytes a terminal published into a validated, edge-stamped event, or says exactly what
 * is wrong with them. Never throws on bad input: the agent must keep running whatever a terminal sends.
 */
export function parsePosPayload(
  payload: Uint8Array | string,
  receivedAt: Date,
  limits: PosPayloadLimits = defaultPosPayloadLimits,
): PosPayloadResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > limits.maxBytes) {
    return reject('(payload)', `payload is ${size} bytes; the limit is ${limits.maxBytes}`);
  }
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject('(payload)', `payload is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject('(payload)', 'payload must be a JSON object');
  }
  const parsed = posEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return issue === undefined
      ? reject('(payload)', 'invalid event')
      : reject(issuePath(issue, '(payload)'), contractReasonOf(issue));
  }
  const occurredAt = Date.parse(parsed.data.occurred_at);
  if (occurredAt - receivedAt.getTime() > limits.futureToleranceMs) {
    return reject(
      'occurred_at',
      `${parsed.data.occurred_at} is more than ${limits.futureToleranceMs / 1000}s ahead of the store clock; check the terminal clock`,
    );
  }
  const tooOld = tooOldReason(parsed.data.occurred_at, receivedAt, limits.maxAgeMs, 'the store clock');
  if (tooOld !== null) return reject('occurred_at', `${tooOld}; check the terminal clock`);
  return { ok: true, event: { ...parsed.data, received_at: receivedAt.toISOString() } as StoreEvent };
}

function reject(field: string, reason: string): PosPayloadResult {
  return { ok: false, violation: new ContractViolation(field, reason) };
}
