import { type ReceivedZReport, type ZReportResult, zReportCountedTypes } from '@tillgate/shared';
import { differencesText, missingText } from './reconciliation-text.ts';

/** ClickHouse DateTime('UTC') text of an instant (whole seconds: a Power BI-safe type has no fraction). */
const dateTime = (iso: string): string => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');

const events = (counts: ZReportResult['found']['counts']): number =>
  zReportCountedTypes.reduce((sum, type) => sum + counts[type], 0);

/**
 * A hub result as a row of `reconciliation` (sql/0060); the edge's rows come from
 * reconciliation_edge_mv with the same shape. store_key as the star schema's dim_store key.
 */
export function reconciliationRow(report: ReceivedZReport, result: ZReportResult, storeKey: string) {
  return {
    date_key: Number(report.business_day.replaceAll('-', '')),
    store_key: storeKey,
    store_id: report.store_id,
    terminal_id: report.terminal_id,
    business_day: report.business_day,
    report_id: report.report_id,
    side: result.side,
    outcome: result.outcome,
    is_match: result.outcome === 'match' ? 1 : 0,
    reconciled_at: dateTime(result.reconciled_at),
    closed_at: dateTime(report.closed_at),
    first_seq: report.first_seq ?? -1,
    last_seq: report.last_seq ?? -1,
    missing_events: result.missing_events,
    missing_seqs: missingText(result.missing_seqs),
    differences: differencesText(result.differences),
    currency: report.currency,
    reported_events: events(report.counts),
    found_events: events(result.found.counts),
    reported_baskets: report.baskets,
    found_baskets: result.found.baskets,
    reported_gross_sales: report.gross_sales,
    found_gross_sales: result.found.gross_sales,
    reported_net_sales: report.net_sales,
    found_net_sales: result.found.net_sales,
  };
}
