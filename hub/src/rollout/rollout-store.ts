import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { toClickHouseTime } from '../ingest/clickhouse-time.ts';
import type { AlertCounts } from './alert-rate-gate.ts';
import type { RegistryStore } from './fleet-registry.ts';
import type { Rollout } from './rollout-spec.ts';

export interface RolloutStep {
  rollout_id: string;
  at: string;
  actor: string;
  step: string;
  wave: number;
  store_id: string;
  outcome: string;
  detail: string;
}

/** The edge updater's latest reported state for one store and one rollout (from heartbeats). */
export interface StoreUpdate {
  store_id: string;
  update_state: string;
  update_version: string;
  update_reason: string;
  model_version: string;
  /** ms since the epoch when the edge entered update_state (its swap time when active); null before sql/0055. */
  since_ms: number | null;
}

/**
 * ms before its swap that an alert of the new version may carry (alerts.at is the sale's terminal
 * time): a backlog scored after a restart, terminal clock skew. Older alerts of that version belong to
 * an earlier run of it (a rollback order), not to this swap.
 */
const lateAlertMs = 15 * 60_000;

/** ClickHouse side of rollouts: `rollouts` (latest state per id) and `rollout_steps` (the history). */
export class RolloutStore {
  readonly #client: ClickHouseClient;

  constructor(client: ClickHouseClient) {
    this.#client = client;
  }

  async save(rollout: Rollout): Promise<void> {
    await this.#insert('rollouts', [
      {
        rollout_id: rollout.rollout_id,
        model_name: rollout.model,
        model_version: rollout.version,
        target: JSON.stringify({ target: rollout.target, key_id: rollout.key_id, stores: rollout.target_stores }),
        waves: JSON.stringify(rollout.waves),
        gate_seconds: rollout.gate_seconds,
        failure_threshold: rollout.failure_threshold,
        alert_rate: JSON.stringify(rollout.alert_rate),
        swap: rollout.swap,
        swap_window: JSON.stringify(rollout.swap_window),
        shadow_ms: rollout.shadow_ms,
        rollback: rollout.rollback ? 1 : 0,
        status: rollout.status,
        current_wave: rollout.current_wave,
        created_by: rollout.created_by,
        created_at: toClickHouseTime(rollout.created_at),
        updated_at: toClickHouseTime(rollout.updated_at),
        finished_at: rollout.finished_at === null ? null : toClickHouseTime(rollout.finished_at),
      },
    ]);
  }

  async record(steps: RolloutStep[]): Promise<void> {
    if (steps.length === 0) return;
    await this.#insert(
      'rollout_steps',
      steps.map((step) => ({ ...step, at: toClickHouseTime(step.at) })),
    );
  }

  async all(): Promise<Rollout[]> {
    const rows = await this.#query<Record<string, unknown>>(
      `SELECT rollout_id, model_name, model_version, target, waves, gate_seconds, failure_threshold, alert_rate, swap, swap_window, shadow_ms,
              rollback, status, current_wave, created_by, created_at, updated_at, finished_at
       FROM rollouts FINAL ORDER BY created_at`,
      {},
    );
    return rows.map((row) => {
      // stores: absent in rollouts recorded before targets were resolved at creation (lists only then).
      const target = JSON.parse(row.target as string) as {
        target: Rollout['target'];
        key_id: string;
        stores?: string[];
      };
      return {
        rollout_id: row.rollout_id as string,
        model: row.model_name as string,
        version: row.model_version as string,
        key_id: target.key_id,
        target: target.target,
        target_stores: target.stores ?? ('stores' in target.target ? target.target.stores : []),
        waves: JSON.parse(row.waves as string) as Rollout['waves'],
        gate_seconds: Number(row.gate_seconds),
        failure_threshold: Number(row.failure_threshold),
        // '' = a rollout recorded before the gate existed: it had none.
        alert_rate: row.alert_rate === '' ? null : (JSON.parse(row.alert_rate as string) as Rollout['alert_rate']),
        swap: row.swap as Rollout['swap'],
        swap_window: row.swap_window === '' ? null : (JSON.parse(row.swap_window as string) as Rollout['swap_window']),
        shadow_ms: row.shadow_ms === null ? null : Number(row.shadow_ms),
        rollback: Number(row.rollback) === 1,
        status: row.status as Rollout['status'],
        current_wave: Number(row.current_wave),
        created_by: row.created_by as string,
        created_at: isoOf(row.created_at as string),
        updated_at: isoOf(row.updated_at as string),
        finished_at: row.finished_at === null ? null : isoOf(row.finished_at as string),
      };
    });
  }

  async steps(rolloutId: string): Promise<RolloutStep[]> {
    return withIsoAt(
      await this.#query<StepRow>(
        `SELECT rollout_id, toUnixTimestamp64Milli(at) AS at_ms, actor, step, wave, store_id, outcome, detail
       FROM rollout_steps WHERE rollout_id = {id:String} ORDER BY at`,
        { id: rolloutId },
      ),
    );
  }

  /** The last step of any rollout per store (GET /api/fleet). */
  async lastStepPerStore(store: string): Promise<RolloutStep[]> {
    return withIsoAt(
      await this.#query<StepRow>(
        `SELECT argMax(rollout_id, at) AS rollout_id, toUnixTimestamp64Milli(max(at)) AS at_ms,
              argMax(actor, at) AS actor, argMax(step, at) AS step, argMax(wave, at) AS wave, store_id,
              argMax(outcome, at) AS outcome, argMax(detail, at) AS detail
       FROM rollout_steps WHERE store_id != '' AND ({store:String} = '' OR store_id = {store:String})
       GROUP BY store_id`,
        { store },
      ),
    );
  }

  /** Each store's latest updater report about `rolloutId` (heartbeats of the last day). */
  async storeUpdates(rolloutId: string): Promise<StoreUpdate[]> {
    const rows = await this.#query<Omit<StoreUpdate, 'since_ms'> & { since_ms: string | null }>(
      `SELECT store_id, argMax(update_state, sent_at) AS update_state, argMax(update_version, sent_at) AS update_version,
              argMax(update_reason, sent_at) AS update_reason, argMax(model_version, sent_at) AS model_version,
              toUnixTimestamp64Milli(argMax(update_since, sent_at)) AS since_ms
       FROM heartbeats
       WHERE update_rollout_id = {id:String} AND sent_at > now64(3) - INTERVAL 1 DAY
       GROUP BY store_id`,
      { id: rolloutId },
    );
    return rows.map((row) => ({ ...row, since_ms: row.since_ms === null ? null : Number(row.since_ms) }));
  }

  /**
   * Raised alerts and sale lines per store in the `historyHours` before its swap and since it (the
   * alert-rate gate). Sale lines by the edge's clock (received_at, as the swap time); alerts by the
   * model that raised them, since alerts.at is the triggering sale's terminal time: a sale rung just
   * before the swap and scored just after it is the new model's alert. Duplicates a ReplacingMergeTree
   * has not merged yet are counted once (uniqExact of the row key).
   */
  async alertCounts(
    version: string,
    swaps: { store_id: string; swap_ms: number }[],
    historyHours: number,
  ): Promise<AlertCounts[]> {
    if (swaps.length === 0) return [];
    const params = {
      version,
      stores: swaps.map((swap) => swap.store_id),
      swaps: swaps.map((swap) => swap.swap_ms),
      historyMs: historyHours * 3_600_000,
      lateMs: lateAlertMs,
      fromMs: Math.min(...swaps.map((swap) => swap.swap_ms)) - historyHours * 3_600_000,
    };
    const counted = (table: string, time: string, columns: string, where: string, before: string, after: string) =>
      this.#query<{ store_id: string; before: string; after: string }>(
        `SELECT store_id, uniqExactIf(${columns}, ${before}) AS before, uniqExactIf(${columns}, ${after}) AS after
         FROM (
           SELECT toString(store_id) AS store_id, ${columns},
                  toUnixTimestamp64Milli(${time}) AS t,
                  transform(toString(store_id), {stores:Array(String)}, {swaps:Array(Int64)}, toInt64(0)) AS swap
           FROM ${table}
           WHERE ${where} store_id IN {stores:Array(String)} AND ${time} >= fromUnixTimestamp64Milli({fromMs:Int64})
         )
         WHERE t >= swap - {historyMs:Int64}
         GROUP BY store_id`,
        params,
      );
    const [alerts, sales] = await Promise.all([
      counted(
        'alerts',
        'at',
        'alert_id, model_version',
        "state = 'raised' AND",
        't < swap AND model_version != {version:String}',
        't >= swap - {lateMs:Int64} AND model_version = {version:String}',
      ),
      counted('sales_lines', 'received_at', 'event_id, line_no', '', 't < swap', 't >= swap'),
    ]);
    const byStore = (rows: { store_id: string; before: string; after: string }[]) =>
      new Map(rows.map((row) => [row.store_id, row]));
    const alertRows = byStore(alerts);
    const saleRows = byStore(sales);
    return swaps.map(({ store_id }) => ({
      store_id,
      before_alerts: Number(alertRows.get(store_id)?.before ?? 0),
      after_alerts: Number(alertRows.get(store_id)?.after ?? 0),
      before_sales: Number(saleRows.get(store_id)?.before ?? 0),
      after_sales: Number(saleRows.get(store_id)?.after ?? 0),
    }));
  }

  /** The fleet registry as last imported (`tillgate-hub import-dimensions --stores`): cohorts, time zones, hours. */
  storeRegistry(): Promise<RegistryStore[]> {
    return this.#query<RegistryStore>(
      'SELECT store_id, region, format, time_zone, opens_at, closes_at FROM store_registry ORDER BY store_id',
      {},
    );
  }

  /** Every store that sent a heartbeat (the "all stores" target). */
  async knownStores(): Promise<string[]> {
    const rows = await this.#query<{ store_id: string }>(
      'SELECT DISTINCT store_id FROM fleet_state ORDER BY store_id',
      {},
    );
    return rows.map((row) => row.store_id);
  }

  /** The latest updater state per store, whatever the rollout (GET /api/fleet's candidate column). */
  latestUpdates(store: string): Promise<(StoreUpdate & { update_rollout_id: string })[]> {
    return this.#query(
      `SELECT store_id, argMax(update_state, sent_at) AS update_state, argMax(update_version, sent_at) AS update_version,
              argMax(update_reason, sent_at) AS update_reason, argMax(model_version, sent_at) AS model_version,
              argMax(update_rollout_id, sent_at) AS update_rollout_id
       FROM heartbeats
       WHERE sent_at > now64(3) - INTERVAL 1 DAY AND ({store:String} = '' OR store_id = {store:String})
       GROUP BY store_id`,
      { store },
    );
  }

  async #insert(table: string, values: Record<string, unknown>[]): Promise<void> {
    try {
      await this.#client.insert({ table, values, format: 'JSONEachRow' });
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, `cannot insert into ${table}`, { cause: error, canRetry: true });
    }
  }

  async #query<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    try {
      return await (await this.#client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, 'cannot read rollouts', { cause: error, canRetry: true });
    }
  }
}

// Read as at_ms: an alias named `at` would shadow the column inside argMax(..., at).
type StepRow = Omit<RolloutStep, 'at'> & { at_ms: string };
const withIsoAt = (rows: StepRow[]): RolloutStep[] =>
  rows.map(({ at_ms, ...step }) => ({ ...step, at: new Date(Number(at_ms)).toISOString(), wave: Number(step.wave) }));

/** ClickHouse DateTime64 text ("2026-12-01 10:00:00.000") as ISO 8601 UTC. */
const isoOf = (value: string): string => `${value.replace(' ', 'T')}Z`;
