import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
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
  alert_feedback: { id: 'feedback_id', time: 'answered_at' },
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
  const ids = [...firstOffset.keys()];
  const known = new Set<string>();
  for (const chunk of chunksOfSql(ids)) {
    for (const id of await knownIds(client, table, identity, unique, chunk)) known.add(id);
  }
  return known.size === 0 ? unique : unique.filter((row) => !known.has(String(row[identity.id])));
}

/** SQL bytes of ids per lookup: the default max_query_size is 256 KiB, and the rest of the query is small. */
const lookupBytes = 128 * 1024;

function* chunksOfSql(ids: string[]): Generator<string[]> {
  let chunk: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    chunk.push(id);
    bytes += id.length + 3;
    if (bytes >= lookupBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function knownIds(
  client: ClickHouseClient,
  table: string,
  identity: { id: string; time: string },
  rows: Row[],
  ids: string[],
): Promise<string[]> {
  const wanted = new Set(ids);
  const chunkRows = rows.filter((row) => wanted.has(String(row[identity.id])));
  const stores = new Set(chunkRows.map((row) => String(row.store_id)));
  const times = chunkRows.map((row) => String(row[identity.time])).sort();
  const query = `SELECT DISTINCT ${identity.id} AS id FROM ${table}
    WHERE store_id IN (${[...stores].map(literal).join(',')})
      AND ${identity.time} BETWEEN ${literal(times[0] ?? '')} AND ${literal(times.at(-1) ?? '')}
      AND ${identity.id} IN (${ids.map(literal).join(',')})`;
  try {
    const result = await client.query({ query, format: 'JSONEachRow' });
    return (await result.json<{ id: string }>()).map((row) => row.id);
  } catch (error) {
    throw new HubError(
      hubErrorCodes.clickhouse,
      `cannot look up already ingested ids in ${table}: ${(error as Error).message}`,
      {
        cause: error,
        canRetry: true,
      },
    );
  }
}
