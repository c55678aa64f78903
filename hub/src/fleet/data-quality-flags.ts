import type { StoreState } from './fleet-state.ts';

// Thresholds for the fleet page's data-quality flags, from what the heartbeat can show.
const staleBacklogSeconds = 3_600; // s: an event unsent for an hour means a forwarding problem, not a blip
const clockAheadSeconds = 60; // s: a heartbeat stamped this far in the hub's future: the store PC's clock is wrong

/** Short labels for what an operator should look at, beyond online / offline. */
export function dataQualityFlags(store: StoreState, now: Date): string[] {
  const flags: string[] = [];
  if (store.rejectsTotal > 0) flags.push(`${store.rejectsTotal} rejected`);
  if (
    store.oldestUnsentAt !== null &&
    (now.getTime() - Date.parse(store.oldestUnsentAt)) / 1_000 > staleBacklogSeconds
  ) {
    flags.push('stale backlog');
  }
  if ((Date.parse(store.lastSeenAt) - now.getTime()) / 1_000 > clockAheadSeconds) flags.push('clock ahead');
  if (store.modelVersion === null) flags.push('no model');
  // Numbers a terminal used that never reached the agent: sales that may be lost (issue 14).
  if (store.sequenceGaps !== null && store.sequenceGaps.open > 0) {
    flags.push(`${store.sequenceGaps.missingEvents} missing seq`);
  }
  return flags;
}
