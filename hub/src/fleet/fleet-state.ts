import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

/** One store as the ops dashboard shows it, from its latest heartbeat. */
export interface StoreState {
  storeId: string;
  online: boolean;
  lastSeenAt: string;
  secondsSinceLastSeen: number;
  agentVersion: string;
  modelName: string | null;
  modelVersion: string | null;
  backlogEvents: number;
  oldestUnsentAt: string | null;
  alertsOpen: number;
  rejectsTotal: number;
  /**
   * Gap detection (issue 14): terminal_seq ranges the store's terminals numbered that its agent never
   * received, from the latest heartbeat; null from agents older than gap detection. A late re-send
   * closes a gap, and the next heartbeat says so.
   */
  sequenceGaps: { open: number; missingEvents: number; oldestOpenSince: string | null } | null;
}

interface FleetRow {
  store_id: string;
  last_seen_ms: string;
  agent_version: string;
  model_name: string;
  model_version: string;
  backlog_events: string;
  oldest_unsent_ms: string | null;
  alerts_open: number;
  rejects_total: string;
  gaps_open: number | null;
  gaps_missing_events: string;
  gaps_oldest_open_ms: string | null;
}

// argMax by sent_at instead of FINAL: right before ReplacingMergeTree has merged, and one row per store.
const fleetQuery = `
SELECT store_id,
       toUnixTimestamp64Milli(max(sent_at)) AS last_seen_ms,
       argMax(agent_version, sent_at) AS agent_version,
       argMax(model_name, sent_at) AS model_name,
       argMax(model_version, sent_at) AS model_version,
       argMax(backlog_events, sent_at) AS backlog_events,
       toUnixTimestamp64Milli(argMax(oldest_unsent_at, sent_at)) AS oldest_unsent_ms,
       argMax(alerts_open, sent_at) AS alerts_open,
       argMax(rejects_total, sent_at) AS rejects_total,
       argMax(gaps_open, sent_at) AS gaps_open,
       argMax(gaps_missing_events, sent_at) AS gaps_missing_events,
       toUnixTimestamp64Milli(argMax(gaps_oldest_open_since, sent_at)) AS gaps_oldest_open_ms
FROM fleet_state
WHERE {store:String} = '' OR store_id = {store:String}
GROUP BY store_id
ORDER BY store_id`;

/**
 * The fleet: every store that ever sent a heartbeat (or only `store`, when not ''); online = seen
 * within `onlineWithinSeconds` of `now`.
 */
export async function fleetState(
  client: ClickHouseClient,
  onlineWithinSeconds: number,
  now: Date,
  store = '',
): Promise<StoreState[]> {
  let rows: FleetRow[];
  try {
    rows = await (
      await client.query({ query: fleetQuery, query_params: { store }, format: 'JSONEachRow' })
    ).json<FleetRow>();
  } catch (error) {
    throw new HubError(hubErrorCodes.clickhouse, 'cannot read fleet_state', { cause: error, canRetry: true });
  }
  return rows.map((row) => {
    const lastSeen = Number(row.last_seen_ms);
    const age = Math.max(0, (now.getTime() - lastSeen) / 1000);
    return {
      storeId: row.store_id,
      online: age <= onlineWithinSeconds,
      lastSeenAt: new Date(lastSeen).toISOString(),
      secondsSinceLastSeen: Math.round(age),
      agentVersion: row.agent_version,
      modelName: row.model_name === '' ? null : row.model_name,
      modelVersion: row.model_version === '' ? null : row.model_version,
      backlogEvents: Number(row.backlog_events),
      oldestUnsentAt: row.oldest_unsent_ms === null ? null : new Date(Number(row.oldest_unsent_ms)).toISOString(),
      alertsOpen: Number(row.alerts_open),
      rejectsTotal: Number(row.rejects_total),
      sequenceGaps:
        row.gaps_open === null
          ? null
          : {
              open: Number(row.gaps_open),
              missingEvents: Number(row.gaps_missing_events),
              oldestOpenSince:
                row.gaps_oldest_open_ms === null ? null : new Date(Number(row.gaps_oldest_open_ms)).toISOString(),
            },
    };
  });
}
