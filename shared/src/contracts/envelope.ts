import { z } from 'zod';
import { identifier, timestamp } from './primitives.ts';

/** The only contract version this build speaks; a terminal sending another one is told so. */
export const SCHEMA_VERSION = 1 as const;

/**
 * Fields every POS event carries (MISSION.md "Events"). `event_id` is stable across re-sends so the
 * edge and the hub dedupe on it; `terminal_seq` is monotonic per terminal so gaps are visible.
 * `received_at` is stamped by the edge, never sent by the terminal.
 */
export const posEnvelope = {
  schema: z.literal(SCHEMA_VERSION, { error: `schema must be ${SCHEMA_VERSION} (contract v1)` }),
  event_id: identifier('event_id'),
  store_id: identifier('store_id'),
  terminal_id: identifier('terminal_id'),
  terminal_seq: z
    .number({ error: 'terminal_seq must be a number' })
    .int('terminal_seq must be a whole number')
    .nonnegative('terminal_seq must not be negative')
    .max(Number.MAX_SAFE_INTEGER),
  occurred_at: timestamp,
};

export const receivedAt = { received_at: timestamp };
