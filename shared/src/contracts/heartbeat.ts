import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope.ts';
import { modelUpdateStatus } from './model-assignment.ts';
import { identifier, timestamp } from './primitives.ts';

/** Sent by every edge agent every few seconds; the hub's fleet view is built from these alone. */
export const heartbeat = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  store_id: identifier('store_id'),
  agent_version: z.string().min(1).max(32),
  sent_at: timestamp,
  started_at: timestamp,
  backlog_events: z.number().int().nonnegative(),
  oldest_unsent_at: timestamp.nullable(),
  last_forward_at: timestamp.nullable(),
  model_name: z.string().max(64).nullable(),
  model_version: z.string().max(64).nullable(),
  disk_used_bytes: z.number().int().nonnegative(),
  rejects_total: z.number().int().nonnegative(),
  alerts_open: z.number().int().nonnegative(),
  /**
   * Gap detection (issue 14): terminal_seq ranges numbered by the store's terminals but not received,
   * in their current epochs. Absent from agents older than gap detection.
   */
  sequence_gaps: z
    .strictObject({
      open: z.number().int().nonnegative(),
      missing_events: z.number().int().nonnegative(),
      oldest_open_since: timestamp.nullable(),
    })
    .optional(),
  /** The model updater's state (issue 10); absent from agents older than the updater. */
  model_update: modelUpdateStatus.optional(),
});
export type Heartbeat = z.infer<typeof heartbeat>;
