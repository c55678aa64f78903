import type { ZReportResult } from '@tillgate/shared';

// How a result's lists read in ClickHouse `reconciliation` (dashboard, Power BI): short text an
// operator reads, the figures themselves being columns of their own.

/** "counts.sale 3 vs 2; gross_sales 7.14 vs 5.95" (reported vs found); '' when none differ. */
export const differencesText = (differences: ZReportResult['differences']): string =>
  differences.map((difference) => `${difference.field} ${difference.reported} vs ${difference.found}`).join('; ');

/** "2-2, 7-9"; '' when nothing is missing. */
export const missingText = (ranges: ZReportResult['missing_seqs']): string =>
  ranges.map((range) => `${range.from_seq}-${range.to_seq}`).join(', ');
