import {
  type Logger,
  type ReceivedZReport,
  reconcileZReport,
  type ZReportFindings,
  type ZReportResult,
} from '@tillgate/shared';
import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { hubFindings } from './hub-findings.ts';
import { reconciliationRow } from './reconciliation-row.ts';

export interface ReconcilerOptions {
  /** ms between passes over the reports not matched yet. */
  tickMs: number;
  /**
   * ms after a report reached ClickHouse before the hub records a mismatch: its events travel on other
   * topics and may still be on their way through ingest; a match is recorded at once.
   */
  settleMs: number;
  /** h after a report reached the hub it is still reconciled again (late re-sends); then it keeps its last result. */
  lookbackHours: number;
  /** Reports reconciled per pass at most (the rest wait for the next pass). */
  maxPerPass: number;
  /** ms of reconciling per pass at most: a burst of reports (a store forwarding a month) is spread out. */
  passBudgetMs: number;
  /** ms an unmatched report waits at most before it is tried again (the wait doubles from tickMs). */
  maxRetryMs: number;
}

/** Reports reconciled by one query (its parameters are arrays of this length). */
const batchSize = 100;

// The newest forwarded copy of each report that reached the hub within the lookback (a store that
// forwards a month of reports after a long outage still gets them reconciled) and has no hub match yet.
const pendingQuery = `
SELECT report_id, toString(store_id) AS store_id, toString(terminal_id) AS terminal_id,
       toString(business_day) AS business_day,
       toUnixTimestamp64Milli(opened_at) AS opened_ms, toUnixTimestamp64Milli(closed_at) AS closed_ms,
       first_seq, last_seq, toString(currency) AS currency, counts, baskets, gross_sales, net_sales,
       toUnixTimestamp64Milli(received_at) AS received_ms, toUnixTimestamp64Milli(ingested_at) AS ingested_ms,
       toString(bitAnd(cityHash64(store_id), 9223372036854775807)) AS store_key
FROM z_reports
WHERE ingested_at >= now64(3) - toIntervalHour({lookback:UInt32})
  AND (toString(store_id), report_id) NOT IN
      (SELECT store_id, report_id FROM reconciliation FINAL WHERE side = 'hub' AND outcome = 'match')
ORDER BY report_id, edge_reconciled_at DESC
LIMIT 1 BY report_id
LIMIT {limit:UInt32}`;

interface PendingRow {
  report_id: string;
  store_id: string;
  terminal_id: string;
  business_day: string;
  opened_ms: string;
  closed_ms: string;
  first_seq: string | null;
  last_seq: string | null;
  currency: string;
  counts: Record<string, string>;
  baskets: string;
  gross_sales: number;
  net_sales: number;
  received_ms: string;
  ingested_ms: string;
  store_key: string;
}

/**
 * The hub's side of end-of-day reconciliation (issue 14): every pass reconciles the reports without a
 * hub match against the raw tables and records the result in `reconciliation` (side 'hub') when it
 * is a match, or a mismatch that outlived `settleMs` and differs from the last one recorded. A late
 * re-send that reaches the hub turns the report into a match on a later pass.
 */
export class HubReconciler {
  readonly #client: ClickHouseClient;
  readonly #options: ReconcilerOptions;
  readonly #log: Logger;
  /** What was last recorded per report (a restart records a standing mismatch once more; harmless). */
  readonly #recorded = new Map<string, string>();
  /**
   * When each unmatched report is tried next, and the copy it was tried on: during a backfill hundreds
   * of reports wait for their events, and reconciling each on every pass took the CPU the backfill
   * needed (the 3-store e2e missed its budget). A newer copy of a report (re-sent) is tried at once.
   */
  readonly #retry = new Map<string, { at: number; delayMs: number; copy: string }>();
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(client: ClickHouseClient, options: ReconcilerOptions, log: Logger) {
    this.#client = client;
    this.#options = options;
    this.#log = log;
  }

  start(): void {
    const loop = () => {
      this.#pass = this.reconcilePending(new Date())
        .catch((error) => this.#log.warn({ err: error }, 'reconciliation pass failed; next pass retries'))
        .then(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, this.#options.tickMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#pass;
  }

  /** One pass; returns the results it recorded. */
  async reconcilePending(now: Date): Promise<ZReportResult[]> {
    let pending: PendingRow[];
    try {
      pending = await (
        await this.#client.query({
          query: pendingQuery,
          query_params: { lookback: this.#options.lookbackHours, limit: this.#options.maxPerPass },
          format: 'JSONEachRow',
        })
      ).json<PendingRow>();
    } catch (error) {
      throw new HubError(hubErrorCodes.clickhouse, 'cannot read pending Z-reports', { cause: error, canRetry: true });
    }
    const recorded: ZReportResult[] = [];
    const rows: ReturnType<typeof reconciliationRow>[] = [];
    const started = Date.now();
    if (pending.length < this.#options.maxPerPass) {
      // Every unmatched report was listed: forget the retry times of those that left the lookback.
      const listed = new Set(pending.map((row) => `${row.store_id}/${row.report_id}`));
      for (const key of this.#retry.keys()) if (!listed.has(key)) this.#retry.delete(key);
    }
    const due = pending.filter((row) => {
      const retry = this.#retry.get(`${row.store_id}/${row.report_id}`);
      return retry === undefined || retry.copy !== row.ingested_ms || retry.at <= now.getTime();
    });
    for (let start = 0; start < due.length; start += batchSize) {
      if (Date.now() - started > this.#options.passBudgetMs) break;
      const batch = due.slice(start, start + batchSize);
      const reports = batch.map(reportOf);
      const findings = await hubFindings(this.#client, reports);
      batch.forEach((row, index) => {
        const report = reports[index] as ReceivedZReport;
        const result = reconcileZReport(report, findings[index] as ZReportFindings, 'hub', now);
        const key = `${row.store_id}/${row.report_id}`;
        const retry = this.#retry.get(key);
        if (result.outcome === 'match') this.#retry.delete(key);
        else {
          const delayMs = Math.min(
            this.#options.maxRetryMs,
            retry?.copy === row.ingested_ms ? retry.delayMs * 2 : this.#options.tickMs,
          );
          this.#retry.set(key, { at: now.getTime() + delayMs, delayMs, copy: row.ingested_ms });
        }
        const settled = now.getTime() - Number(row.ingested_ms) >= this.#options.settleMs;
        const signature = JSON.stringify([result.outcome, result.missing_seqs, result.differences]);
        if (result.outcome === 'mismatch' && (!settled || this.#recorded.get(report.report_id) === signature)) return;
        rows.push(reconciliationRow(report, result, row.store_key));
        recorded.push(result);
        this.#recorded.set(report.report_id, signature);
      });
    }
    if (rows.length === 0) return recorded;
    try {
      await this.#client.insert({ table: 'reconciliation', values: rows, format: 'JSONEachRow' });
    } catch (error) {
      for (const result of recorded) this.#recorded.delete(result.report_id);
      throw new HubError(hubErrorCodes.clickhouse, `cannot record ${rows.length} reconciliation results`, {
        cause: error,
        canRetry: true,
      });
    }
    for (const result of recorded) {
      if (result.outcome === 'match') this.#recorded.delete(result.report_id);
      else {
        this.#log.warn(
          {
            store: result.store_id,
            terminal: result.terminal_id,
            reportId: result.report_id,
            missingEvents: result.missing_events,
            differences: result.differences.map((difference) => difference.field),
          },
          'Z-report does not match what reached the hub',
        );
      }
    }
    return recorded;
  }
}

function reportOf(row: PendingRow): ReceivedZReport {
  const iso = (ms: string) => new Date(Number(ms)).toISOString();
  const counts = Object.fromEntries(Object.entries(row.counts).map(([type, count]) => [type, Number(count)]));
  return {
    schema: 1,
    type: 'z_report',
    report_id: row.report_id,
    store_id: row.store_id,
    terminal_id: row.terminal_id,
    business_day: row.business_day,
    opened_at: iso(row.opened_ms),
    closed_at: iso(row.closed_ms),
    first_seq: row.first_seq === null ? null : Number(row.first_seq),
    last_seq: row.last_seq === null ? null : Number(row.last_seq),
    currency: row.currency,
    counts: counts as ReceivedZReport['counts'],
    baskets: Number(row.baskets),
    gross_sales: row.gross_sales,
    net_sales: row.net_sales,
    received_at: iso(row.received_ms),
  };
}
