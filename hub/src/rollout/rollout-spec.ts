import { clockTime, isTimeZone } from '@tillgate/shared';
import { z } from 'zod';
import { alertRateBounds, defaultAlertRateBounds } from './alert-rate-gate.ts';

// What an operator asks for (POST /api/rollouts, `tillgate-hub rollout create`), and the rollout
// state the controller keeps, one row per change in ClickHouse `rollouts`.

const wave = z.union([
  z.strictObject({ stores: z.number().int().min(1) }),
  z.strictObject({ share: z.number().gt(0).max(1) }),
]);

export const rolloutRequest = z.strictObject({
  model: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/),
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/),
  /** The release's signing key id; when absent, taken from a channel pointer that names this version. */
  key_id: z.string().min(1).max(64).optional(),
  /**
   * all: every store that sent a heartbeat; stores: a list; cohort: the stores of the fleet registry
   * (store_registry, `tillgate-hub import-dimensions --stores`) with all these labels that sent a heartbeat.
   */
  target: z
    .union([
      z.strictObject({ all: z.literal(true) }),
      z.strictObject({ stores: z.array(z.string().min(1).max(64)).min(1) }),
      z.strictObject({
        cohort: z
          .strictObject({ region: z.string().min(1).max(100), format: z.string().min(1).max(100) })
          .partial()
          .refine((labels) => Object.keys(labels).length > 0, 'name at least one label: region or format'),
      }),
    ])
    .default({ all: true }),
  /** Cumulative: 1 store, then 10 %, then everyone (the last wave always covers the whole target). */
  waves: z
    .array(wave)
    .min(1)
    .max(10)
    .default([{ stores: 1 }, { share: 0.1 }, { share: 1 }]),
  /** s a wave must stay healthy (all active, none rolled back) before the next one starts. */
  gate_seconds: z.number().int().min(0).default(600),
  /**
   * Part of the gate: each store's raised alerts per sale line since its swap, within these bounds of
   * its own history (hub/src/rollout/alert-rate-gate.ts); null = no alert-rate gate.
   */
  alert_rate: alertRateBounds.nullable().default(defaultAlertRateBounds),
  /** Share of assigned stores that rejected or rolled back above which the rollout stops itself. */
  failure_threshold: z.number().min(0).max(1).default(0.2),
  swap: z.enum(['window', 'now']).default('window'),
  /**
   * With swap "window": the swap window every targeted store uses, in its own time zone (the fleet
   * registry's, unless time_zone names one). null = each store's trading hours from the fleet
   * registry, or the agent's own updater.swapWindow for a store the registry does not hold.
   */
  swap_window: z
    .strictObject({
      from: clockTime,
      to: clockTime,
      time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
    })
    .refine((window) => window.from !== window.to, 'from and to must differ (an empty window never opens)')
    .nullable()
    .default(null),
  /** ms of shadow scoring on each edge; null = each agent's configured default. */
  shadow_ms: z.number().int().nonnegative().nullable().default(null),
  /** Allow an older version (a rollback the operator orders). */
  rollback: z.boolean().default(false),
});
export type RolloutRequest = z.infer<typeof rolloutRequest>;

export type RolloutStatus = 'running' | 'paused' | 'aborted' | 'stopped' | 'completed';

export interface Rollout extends Omit<RolloutRequest, 'key_id'> {
  rollout_id: string;
  key_id: string;
  /** The stores the target resolved to when the rollout was created, in wave order. */
  target_stores: string[];
  status: RolloutStatus;
  current_wave: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** Cumulative store count of each wave for `total` targeted stores; the last wave is all of them. */
export function waveSizes(waves: RolloutRequest['waves'], total: number): number[] {
  const sizes = waves.map((entry) =>
    Math.min(total, 'stores' in entry ? entry.stores : Math.ceil(entry.share * total)),
  );
  sizes[sizes.length - 1] = total;
  for (let index = 1; index < sizes.length; index++) {
    sizes[index] = Math.max(sizes[index] as number, sizes[index - 1] as number);
  }
  return sizes;
}
