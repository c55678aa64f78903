import { type AssignedSwapWindow, isTimeZone } from '@tillgate/shared';
import type { Rollout } from './rollout-spec.ts';

/** What a rollout reads of one store in the fleet registry (ClickHouse store_registry). */
export interface RegistryStore {
  store_id: string;
  region: string;
  format: string;
  time_zone: string;
  opens_at: string;
  closes_at: string;
}

type Cohort = Extract<Rollout['target'], { cohort: unknown }>['cohort'];

export const inCohort = (store: RegistryStore, cohort: Cohort): boolean =>
  Object.entries(cohort).every(([label, value]) => store[label as keyof Cohort] === value);

export const describeCohort = (cohort: Cohort): string =>
  Object.entries(cohort)
    .map(([label, value]) => `${label}=${value}`)
    .join(',');

/** The window a store's order carries, and where it came from (recorded with the assignment). */
export interface PlannedWindow {
  window: AssignedSwapWindow | null;
  source: string;
}

/**
 * A store's swap window: the rollout's (in the store's own time zone unless the rollout names one),
 * else the store's trading hours from the fleet registry, else none (the agent's own
 * updater.swapWindow). Why trading hours: a swap is instantaneous, and inside them the edge's
 * post-swap watch and the hub's alert-rate gate judge the new model on live sales at once, with staff
 * in the store; peak days are excluded by the agent's freezes.
 */
export function swapWindowFor(
  rollout: Pick<Rollout, 'swap' | 'swap_window'>,
  store: RegistryStore | undefined,
): PlannedWindow {
  if (rollout.swap === 'now') return { window: null, source: 'swap now' };
  const registryZone = store !== undefined && isTimeZone(store.time_zone) ? store.time_zone : undefined;
  const badZone =
    store !== undefined && registryZone === undefined ? ` (registry time zone "${store.time_zone}" is not IANA)` : '';
  if (rollout.swap_window !== null) {
    const zone = rollout.swap_window.time_zone ?? registryZone;
    if (zone === undefined) return { window: null, source: `the agent's own window: no store time zone${badZone}` };
    const { from, to } = rollout.swap_window;
    return { window: { time_zone: zone, from, to }, source: `rollout window ${from}-${to} ${zone}` };
  }
  if (store === undefined) return { window: null, source: "the agent's own window: not in the fleet registry" };
  if (registryZone === undefined) return { window: null, source: `the agent's own window${badZone}` };
  if (store.opens_at === store.closes_at) {
    return { window: null, source: "the agent's own window: open around the clock in the fleet registry" };
  }
  return {
    window: { time_zone: registryZone, from: store.opens_at, to: store.closes_at },
    source: `trading hours ${store.opens_at}-${store.closes_at} ${registryZone} (fleet registry)`,
  };
}
