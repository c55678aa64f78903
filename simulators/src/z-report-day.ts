import { createHash } from 'node:crypto';
import { eventAmountCents, type PosEvent, totalsFromCents, type ZReport } from '@tillgate/shared';

/**
 * One terminal's running totals for its business day, as a till keeps them for its Z-report: every
 * event it rang (whether or not the agent has acknowledged it yet), by type, with the cents of sales
 * and returns and the first and last terminal_seq. `report` closes the day (docs/pos-integration.md).
 */
export class ZReportDay {
  readonly #storeId: string;
  readonly #terminalId: string;
  readonly #openedAt: string;
  readonly #counts: Partial<Record<PosEvent['type'], number>> = {};
  #grossCents = 0;
  #returnedCents = 0;
  #firstSeq: number | null = null;
  #lastSeq: number | null = null;
  #currency = 'EUR';

  constructor(storeId: string, terminalId: string, openedAt: Date) {
    this.#storeId = storeId;
    this.#terminalId = terminalId;
    this.#openedAt = openedAt.toISOString();
  }

  record(event: PosEvent): void {
    this.#counts[event.type] = (this.#counts[event.type] ?? 0) + 1;
    const { grossCents, returnedCents } = eventAmountCents(event);
    this.#grossCents += grossCents;
    this.#returnedCents += returnedCents;
    this.#firstSeq = Math.min(this.#firstSeq ?? event.terminal_seq, event.terminal_seq);
    this.#lastSeq = Math.max(this.#lastSeq ?? event.terminal_seq, event.terminal_seq);
    if (event.type === 'sale') this.#currency = event.currency;
  }

  /** The Z-report of the day so far, closed at `closedAt`; `businessDay` is the store's local date. */
  report(closedAt: Date, businessDay: string = this.#openedAt.slice(0, 10)): ZReport {
    return {
      schema: 1,
      type: 'z_report',
      report_id: reportId(`z-${this.#storeId}-${this.#terminalId}-${businessDay}`),
      store_id: this.#storeId,
      terminal_id: this.#terminalId,
      business_day: businessDay,
      opened_at: this.#openedAt,
      closed_at: closedAt.toISOString(),
      first_seq: this.#firstSeq,
      last_seq: this.#lastSeq,
      currency: this.#currency,
      ...totalsFromCents(this.#counts, this.#grossCents, this.#returnedCents),
    };
  }
}

/** report_id is an identifier of at most 64 characters: long store and terminal ids are hashed. */
const reportId = (readable: string): string =>
  readable.length <= 64 ? readable : `z-${createHash('sha256').update(readable).digest('hex').slice(0, 40)}`;
