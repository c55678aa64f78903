import { z } from 'zod';
import { clockTime, identifier, isTimeZone, timestamp } from './primitives.ts';

/**
 * What the hub orders one store's edge updater to do, on the compacted model-rollouts topic keyed by
 * store_id (the latest order per store is what counts, and it waits there for a store that is offline).
 * It carries the exact signed manifest bytes, so the edge verifies the signature before it downloads a
 * byte, and a presigned S3 URL the model is fetched from with HTTP ranges (resume after a WAN cut).
 */
export const modelAssignment = z.strictObject({
  schema: z.literal(1),
  store_id: identifier('store_id'),
  rollout_id: identifier('rollout_id'),
  /** install: shadow then swap to this version; cancel: drop a pending install of it (rollout aborted). */
  action: z.enum(['install', 'cancel']),
  name: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/),
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  key_id: z.string().min(1).max(64),
  /** manifest.json exactly as signed (utf-8). */
  manifest_json: z.string().min(2).max(65_536),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'signature must be base64'),
  model_url: z.url({ protocol: /^https?$/ }),
  model_size: z.number().int().positive(),
  /** The hub orders an older version on purpose (otherwise the edge refuses a downgrade). */
  rollback: z.boolean(),
  /** window: swap inside the store's trading-hours window only; now: as soon as the shadow passed. */
  swap: z.enum(['window', 'now']),
  /**
   * Where the hub knows the store's swap window (the rollout's, or the store's trading hours from the
   * fleet registry): from-to in the store's own time zone, from > to crosses midnight. Absent or
   * null = the agent's configured updater.swapWindow. Used only when swap is "window".
   */
  swap_window: z
    .strictObject({
      time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
      from: clockTime,
      to: clockTime,
    })
    .nullable()
    .optional(),
  /** ms of live shadow scoring before the swap; null = the agent's configured default. */
  shadow_ms: z.number().int().nonnegative().nullable(),
  issued_at: timestamp,
});
export type ModelAssignment = z.infer<typeof modelAssignment>;
export type AssignedSwapWindow = NonNullable<ModelAssignment['swap_window']>;

/** The edge updater's state, as reported in every heartbeat and in GET /status. */
export const modelUpdateStates = [
  'idle',
  'downloading',
  'verifying',
  'shadowing',
  'waiting_window',
  'active',
  'rejected',
  'rolled_back',
] as const;

export const modelUpdateStatus = z.strictObject({
  state: z.enum(modelUpdateStates),
  rollout_id: z.string().max(64).nullable(),
  /** The candidate (or the version just activated, rejected or rolled back). */
  name: z.string().max(64).nullable(),
  version: z.string().max(64).nullable(),
  /** Why a candidate was rejected or rolled back (stable code + message), else null. */
  reason: z.string().max(500).nullable(),
  since: timestamp,
});
export type ModelUpdateStatus = z.infer<typeof modelUpdateStatus>;
