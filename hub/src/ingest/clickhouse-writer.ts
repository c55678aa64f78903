import type { ClickHouseClient } from '../clickhouse.ts';
import { stallPoint } from '../crash-point.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { withoutKnownIdentities } from './identity-filter.ts';
import type { MembershipFence } from './membership-fence.ts';
import type { Row, TableRows } from './table-rows.ts';

export interface WriteResult {
  inserted: number;
  duplicates: number;
}

/**
 * Writes decoded rows to their raw tables, each table in one INSERT, skipping events already present.
 * Each INSERT goes out only while `fence` proves the rows' partitions are still this member's, and is
 * aborted when that proof runs out (membership-fence.ts).
 */
export async function writeRows(
  client: ClickHouseClient,
  batches: readonly TableRows[],
  fence: MembershipFence,
): Promise<WriteResult> {
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
    stallPoint('before-clickhouse-insert');
    const signal = await fence.fresh();
    try {
      await client.insert({ table, values: fresh, format: 'JSONEachRow', abort_signal: signal });
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
