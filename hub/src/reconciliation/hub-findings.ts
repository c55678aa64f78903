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

// Every event of the batch's stores within its overall span, one row per event from every raw table.
// FINAL: a line that reached a table twice must not count twice (the same cents per line as the edge:
// each line rounded to the cent, Decimal rounds half away from zero like the edge's Math.round).
const eventsQuery = zReportCountedTypes
  .map(
    (type) => `SELECT '${type}' AS type, toString(store_id) AS store, toString(terminal_id) AS terminal, event_id,
       any(terminal_seq) AS seq, min(occurred_at) AS at,
       ${sources[type].gross} AS gross_cents, ${sources[type].returned} AS returned_cents
     FROM ${sources[type].table} FINAL
     WHERE store_id IN {stores:Array(String)}
       AND occurred_at BETWEEN parseDateTime64BestEffort({from:String}, 3, 'UTC')
                           AND parseDateTime64BestEffort({to:String}, 3, 'UTC')
     GROUP BY store, terminal, event_id`,
  )
  .join('\nUNION ALL\n');

// The batch's reports as rows (idx = position + 1), joined to the events of their terminal, numbers
// and span: one scan of the raw tables per batch, not per report (a store forwarding a month of
// reports after an outage brings hundreds at once).
const batchQuery = `
SELECT r.idx AS idx, e.type AS type, e.seq AS seq, e.gross_cents AS gross_cents, e.returned_cents AS returned_cents
FROM (
    SELECT idx, {stores:Array(String)}[idx] AS store, {terminals:Array(String)}[idx] AS terminal,
           {firsts:Array(Int64)}[idx] AS first_seq, {lasts:Array(Int64)}[idx] AS last_seq,
           parseDateTime64BestEffort({opens:Array(String)}[idx], 3, 'UTC') AS opened,
           parseDateTime64BestEffort({closes:Array(String)}[idx], 3, 'UTC') AS closed
    FROM (SELECT arrayJoin(range(1, length({stores:Array(String)}) + 1)) AS idx)
) AS r
INNER JOIN (${eventsQuery}) AS e ON e.store = r.store AND e.terminal = r.terminal
WHERE e.seq BETWEEN r.first_seq AND r.last_seq AND e.at BETWEEN r.opened AND r.closed
ORDER BY idx, seq`;

interface EventRow {
  idx: number;
  type: ZReportCountedType;
  seq: string;
  gross_cents: string;
  returned_cents: string;
}

/** What reached the hub's raw tables of each report's terminal, numbers and span, in the reports' order. */
export async function hubFindings(
  client: ClickHouseClient,
  reports: readonly ReceivedZReport[],
): Promise<ZReportFindings[]> {
  const withEvents = reports.filter((report) => report.first_seq !== null && report.last_seq !== null);
  const rowsByReport = new Map<ReceivedZReport, EventRow[]>(reports.map((report) => [report, []]));
  if (withEvents.length > 0) {
    let rows: EventRow[];
    try {
      rows = await (
        await client.query({
          query: batchQuery,
          query_params: {
            stores: withEvents.map((report) => report.store_id),
            terminals: withEvents.map((report) => report.terminal_id),
            firsts: withEvents.map((report) => report.first_seq),
            lasts: withEvents.map((report) => report.last_seq),
            opens: withEvents.map((report) => report.opened_at),
            closes: withEvents.map((report) => report.closed_at),
            from: new Date(Math.min(...withEvents.map((report) => Date.parse(report.opened_at)))).toISOString(),
            to: new Date(Math.max(...withEvents.map((report) => Date.parse(report.closed_at)))).toISOString(),
          },
          format: 'JSONEachRow',
        })
      ).json<EventRow>();
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, `cannot reconcile ${withEvents.length} Z-reports`, {
        cause: error,
        canRetry: true,
      });
    }
    for (const row of rows) rowsByReport.get(withEvents[Number(row.idx) - 1] as ReceivedZReport)?.push(row);
  }
  return reports.map((report) => findingsOf(report, rowsByReport.get(report) ?? []));
}

function findingsOf(report: ReceivedZReport, rows: readonly EventRow[]): ZReportFindings {
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
