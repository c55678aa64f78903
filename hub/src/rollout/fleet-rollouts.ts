import type { ClickHouseClient } from '../clickhouse.ts';
import { RolloutStore } from './rollout-store.ts';

export interface StoreRolloutColumns {
  /** The candidate the edge updater works on (or last worked on) and its state, from the latest heartbeat. */
  candidate: { version: string; state: string; reason: string | null; rolloutId: string } | null;
  /** The last step any rollout recorded for this store. */
  lastRolloutStep: { rolloutId: string; at: string; step: string; outcome: string; detail: string } | null;
}

/** GET /api/fleet's model-rollout columns per store (`store` '' = all, as storeFilter binds it). */
export async function fleetRollouts(
  client: ClickHouseClient,
  store: string,
): Promise<Map<string, StoreRolloutColumns>> {
  const rollouts = new RolloutStore(client);
  const [updates, steps] = await Promise.all([rollouts.latestUpdates(store), rollouts.lastStepPerStore(store)]);
  const columns = new Map<string, StoreRolloutColumns>();
  const entry = (storeId: string) => {
    const found = columns.get(storeId) ?? { candidate: null, lastRolloutStep: null };
    columns.set(storeId, found);
    return found;
  };
  for (const update of updates) {
    if (update.update_state === '') continue;
    entry(update.store_id).candidate = {
      version: update.update_version,
      state: update.update_state,
      reason: update.update_reason === '' ? null : update.update_reason,
      rolloutId: update.update_rollout_id,
    };
  }
  for (const step of steps) {
    entry(step.store_id).lastRolloutStep = {
      rolloutId: step.rollout_id,
      at: step.at,
      step: step.step,
      outcome: step.outcome,
      detail: step.detail,
    };
  }
  return columns;
}
