import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { withoutKnownIdentities } from './identity-filter.ts';
import type { Row, TableRows } from './table-rows.ts';

export interface WriteResult {
  inserted: number;
  duplicates: number;
}

/** Writes decoded rows to their raw tables, each table in one INSERT, skipping events already present. */
export async function writeRows(client: ClickHouseClient, batches: readonly TableRows[]): Promise<WriteResult> {
  const byTable = new Map<string, Row[]>();
  for (const { table, rows } of batches) {
    const list = byTable.get(table);
    if (list === undefined) byTable.set(table, [...rows]);
    else list.push(...rows);
  }
  let inserted = 0;
  let duplicates = 0;
  for (const [table, rows] of byTable) {
    const fresh = await withoutKnownIdentities(client, table, rows);
    duplicates += rows.length - fresh.length;
    if (fresh.length === 0) continue;
    try {
      await client.insert({ table, values: fresh, format: 'JSONEachRow' });
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, `cannot insert ${fresh.length} rows into ${table}`, {
        cause: error,
        canRetry: true,
      });
    }
    inserted += fresh.length;
  }
  return { inserted, duplicates };
}
