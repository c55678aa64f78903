import {
  kafkaTopics,
  type Logger,
  type PosPayloadLimits,
  parseZReportPayload,
  reconcileZReport,
  sharedErrorCodes,
  type ZReportResult,
} from '@tillgate/shared';
import type { EdgeStore } from '../store/edge-store.ts';
import type { RejectReply } from './pos-message.ts';

export type ZReportReply = RejectReply | ZReportResult;

/** Up to 4 KiB of a rejected report is kept for IT, as for events. */
const keptPayloadBytes = 4_096;

/**
 * A terminal's end-of-day Z-report (tillgate/<store>/pos/<terminal>/z-report, issue 14): checked
 * against the contract and its origin, reconciled against what this store holds of the terminal's
 * numbers and span, answered on the terminal's replies topic (match, or which numbers and totals
 * differ), and forwarded with its result to the hub, all before the PUBACK. A bad report is a reject
 * like a bad event: recorded with its reason, answered, acknowledged, and nothing else changes.
 * A terminal sends its report after its day's events are acknowledged; whatever of them is still
 * waiting in the group commit is committed first (`flushPending`), so it is counted.
 */
export class ZReportIntake {
  readonly #store: EdgeStore;
  readonly #storeId: string;
  readonly #limits: Pick<PosPayloadLimits, 'maxBytes' | 'futureToleranceMs'>;
  readonly #flushPending: () => void;
  readonly #log: Logger;
  readonly counters = { matched: 0, mismatched: 0, rejected: 0 };

  constructor(
    store: EdgeStore,
    storeId: string,
    limits: Pick<PosPayloadLimits, 'maxBytes' | 'futureToleranceMs'>,
    flushPending: () => void,
    log: Logger,
  ) {
    this.#store = store;
    this.#storeId = storeId;
    this.#limits = limits;
    this.#flushPending = flushPending;
    this.#log = log;
  }

  /** Commits and returns what the terminal is answered; throws only when the store cannot commit. */
  accept(topic: string, terminalId: string, payload: Buffer, now = new Date()): ZReportReply {
    const parsed = parseZReportPayload(payload, now, this.#limits);
    const reportId = parsed.ok ? parsed.report.report_id : reportIdOf(payload);
    const refusal = !parsed.ok
      ? { field: parsed.violation.field, reason: parsed.violation.reason }
      : parsed.report.store_id !== this.#storeId
        ? { field: 'store_id', reason: `is "${parsed.report.store_id}" but this agent serves store "${this.#storeId}"` }
        : parsed.report.terminal_id !== terminalId
          ? {
              field: 'terminal_id',
              reason: `is "${parsed.report.terminal_id}" but was published by terminal "${terminalId}"`,
            }
          : null;
    if (refusal !== null || !parsed.ok) {
      const { field, reason } = refusal ?? { field: '(payload)', reason: 'invalid z_report' };
      const code = sharedErrorCodes.contractViolation;
      this.counters.rejected++;
      this.#log.warn({ terminalId, field, reason }, 'rejected a Z-report');
      this.#store.commitIntake([
        {
          kind: 'reject',
          receivedAt: now.toISOString(),
          terminalId,
          topic,
          eventId: reportId,
          field,
          reason,
          code,
          payload: payload.subarray(0, keptPayloadBytes).toString('utf8'),
        },
      ]);
      return { ...(reportId === null ? {} : { event_id: reportId }), field, reason, code };
    }
    this.#flushPending();
    const report = parsed.report;
    const result = reconcileZReport(report, this.#store.zReportFindings(report), 'edge', now);
    this.#store.commitZReport({ schema: 1, report, edge_result: result }, kafkaTopics.zReports);
    if (result.outcome === 'match') this.counters.matched++;
    else {
      this.counters.mismatched++;
      this.#log.warn(
        {
          terminalId,
          reportId: report.report_id,
          businessDay: report.business_day,
          missingEvents: result.missing_events,
          differences: result.differences.map((difference) => difference.field),
        },
        'Z-report does not match what the store received',
      );
    }
    return result;
  }
}

/** Best effort: name the report in a reject even when the rest of the payload is broken. */
function reportIdOf(payload: Buffer): string | null {
  try {
    const value = JSON.parse(payload.toString('utf8')) as { report_id?: unknown };
    return typeof value.report_id === 'string' && value.report_id.length <= 64 ? value.report_id : null;
  } catch {
    return null;
  }
}
