import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { toClickHouseTime } from './clickhouse-time.ts';
import type { Row } from './table-rows.ts';

/**
 * The identity of each raw table's rows: the column that names one event (all lines of an event share
 * it and are inserted in one block, so an event is either wholly present or absent) and the time
 * column the table is partitioned by. Tables without an entry (heartbeats) feed no sums: their
 * ReplacingMergeTree key alone makes replays harmless.
 */
const identities: Record<string, { id: string; time: string } | undefined> = {
  sales_lines: { id: 'event_id', time: 'occurred_at' },
  return_lines: { id: 'event_id', time: 'occurred_at' },
  product_scans: { id: 'event_id', time: 'occurred_at' },
  price_changes: { id: 'event_id', time: 'occurred_at' },
  shelf_counts: { id: 'event_id', time: 'occurred_at' },
  inventory_adjustments: { id: 'event_id', time: 'occurred_at' },
  delivery_lines: { id: 'event_id', time: 'occurred_at' },
  foot_traffic: { id: 'event_id', time: 'occurred_at' },
  alerts: { id: 'alert_id', time: 'at' },
};

// Contract identifiers are [A-Za-z0-9_.:-]; quoting anyway keeps a future contract change from
// turning into SQL injection.
const literal = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * Removes the rows whose event already reached `table`, and repeated copies within the batch (first
 * copy wins). This is the hub's dedupe: materialized views fire on every insert, so a duplicate that
 * reached a raw table would be summed twice in the aggregates however the raw table collapses it.
 * Checking before inserting is race-free because every copy of an event has the same Kafka key (its
 * store) and therefore the same partition, which one consumer of the group owns at a time.
 */
export async function withoutKnownIdentities(client: ClickHouseClient, table: string, rows: Row[]): Promise<Row[]> {
  const identity = identities[table];
  if (identity === undefined || rows.length === 0) return rows;
  const firstOffset = new Map<string, unknown>();
  for (const row of rows) {
    const id = String(row[identity.id]);
    if (!firstOffset.has(id)) firstOffset.set(id, row.kafka_offset);
  }
  const unique = rows.filter((row) => firstOffset.get(String(row[identity.id])) === row.kafka_offset);
  const stores = new Set(unique.map((row) => String(row.store_id)));
  const times = unique.map((row) => String(row[identity.time])).sort();
  const query = `SELECT DISTINCT ${identity.id} AS id FROM ${table}
    WHERE store_id IN (${[...stores].map(literal).join(',')})
      AND ${identity.time} BETWEEN ${literal(times[0] ?? toClickHouseTime(new Date(0)))} AND ${literal(times.at(-1) ?? '')}
      AND ${identity.id} IN (${[...firstOffset.keys()].map(literal).join(',')})`;
  let known: Set<string>;
  try {
    const result = await client.query({ query, format: 'JSONEachRow' });
    known = new Set((await result.json<{ id: string }>()).map((row) => row.id));
  } catch (error) {
    throw new HubError(hubErrorCodes.clickhouse, `cannot look up already ingested ids in ${table}`, {
      cause: error,
      canRetry: true,
    });
  }
  return known.size === 0 ? unique : unique.filter((row) => !known.has(String(row[identity.id])));
}
