import {
  missingSeqRanges,
  type ReceivedZReport,
  totalsFromCents,
  type ZReportCountedType,
  type ZReportFindings,
  zReportCountedTypes,
} from '@tillgate/shared';
import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

/** The raw table of each event type (sql/0001-0008) and what its lines add to gross sales / returns. */
const sources: Record<ZReportCountedType, { table: string; gross: string; returned: string }> = {
  sale: { table: 'sales_lines', gross: 'sum(toInt64(round(quantity * unit_price * 100)))', returned: 'toInt64(0)' },
  return: { table: 'return_lines', gross: 'toInt64(0)', returned: 'sum(toInt64(round(quantity * unit_price * 100)))' },
  product_scan: { table: 'product_scans', gross: 'toInt64(0)', returned: 'toInt64(0)' },
  price_change: { table: 'price_changes', gross: 'toInt64(0)', returned: 'toInt64(0)' },
  shelf_count: { table: 'shelf_counts', gross: 'toInt64(0)', returned: 'toInt64(0)' },
  inventory_adjustment: { table: 'inventory_adjustments', gross: 'toInt64(0)', returned: 'toInt64(0)' },
  supplier_delivery: { table: 'delivery_lines', gross: 'toInt64(0)', returned: 'toInt64(0)' },
  foot_traffic: { table: 'foot_traffic', gross: 'toInt64(0)', returned: 'toInt64(0)' },
};

// One row per event of the report's terminal, numbers and span, from every raw table. FINAL: a line
// that reached a table twice must not count twice (the same cents per line as the edge: each line
// rounded to the cent, Decimal rounds half away from zero like the edge's Math.round of a positive).
const eventsQuery = zReportCountedTypes
  .map(
    (type) => `SELECT '${type}' AS type, event_id, any(terminal_seq) AS seq,
       ${sources[type].gross} AS gross_cents, ${sources[type].returned} AS returned_cents
     FROM ${sources[type].table} FINAL
     WHERE store_id = {store:String} AND terminal_id = {terminal:String}
       AND terminal_seq BETWEEN {first:Int64} AND {last:Int64}
       AND occurred_at BETWEEN parseDateTime64BestEffort({opened:String}, 3, 'UTC')
                           AND parseDateTime64BestEffort({closed:String}, 3, 'UTC')
     GROUP BY event_id`,
  )
  .join('\nUNION ALL\n');

interface EventRow {
  type: ZReportCountedType;
  seq: string;
  gross_cents: string;
  returned_cents: string;
}

/** What reached the hub's raw tables of a report's terminal, numbers and span. */
export async function hubFindings(client: ClickHouseClient, report: ReceivedZReport): Promise<ZReportFindings> {
  if (report.first_seq === null || report.last_seq === null) {
    return { found: totalsFromCents({}, 0, 0), missingRanges: [], missingEvents: 0 };
  }
  let rows: EventRow[];
  try {
    rows = await (
      await client.query({
        query: `SELECT type, seq, gross_cents, returned_cents FROM (${eventsQuery}) ORDER BY seq`,
        query_params: {
          store: report.store_id,
          terminal: report.terminal_id,
          first: report.first_seq,
          last: report.last_seq,
          opened: report.opened_at,
          closed: report.closed_at,
        },
        format: 'JSONEachRow',
      })
    ).json<EventRow>();
  } catch (error) {
    throw new HubError(hubErrorCodes.clickhouse, `cannot reconcile Z-report ${report.report_id}`, {
      cause: error,
      canRetry: true,
    });
  }
  const counts: Partial<Record<ZReportCountedType, number>> = {};
  let grossCents = 0;
  let returnedCents = 0;
  for (const row of rows) {
    counts[row.type] = (counts[row.type] ?? 0) + 1;
    grossCents += Number(row.gross_cents);
    returnedCents += Number(row.returned_cents);
  }
  const missing = missingSeqRanges(
    report.first_seq,
    report.last_seq,
    rows.map((row) => Number(row.seq)),
  );
  return { found: totalsFromCents(counts, grossCents, returnedCents), ...missing };
}
