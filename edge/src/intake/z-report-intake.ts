import {
  type Logger,
  type PosPayloadLimits,
  parseZReportPayload,
  sharedErrorCodes,
  type ZReportResult,
} from '@tillgate/shared';
import type { GroupCommit } from './group-commit.ts';
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
 * Both go through the group commit like events (no fsync of their own): the report is reconciled in
 * the transaction that commits whatever the terminal sent before it, so those events are counted.
 */
export class ZReportIntake {
  readonly #commit: GroupCommit;
  readonly #storeId: string;
  readonly #limits: Pick<PosPayloadLimits, 'maxBytes' | 'futureToleranceMs'>;
  readonly #log: Logger;
  readonly counters = { matched: 0, mismatched: 0, rejected: 0 };

  constructor(
    commit: GroupCommit,
    storeId: string,
    limits: Pick<PosPayloadLimits, 'maxBytes' | 'futureToleranceMs'>,
    log: Logger,
  ) {
    this.#commit = commit;
    this.#storeId = storeId;
    this.#limits = limits;
    this.#log = log;
  }

  /**
   * Resolves, once committed, with what the terminal is answered; rejects when the message must not
   * be acknowledged (disk full, stopping), as for events.
   */
  async accept(topic: string, terminalId: string, payload: Buffer, now = new Date()): Promise<ZReportReply> {
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
      await this.#commit.submit({
        kind: 'reject',
        receivedAt: now.toISOString(),
        terminalId,
        topic,
        eventId: reportId,
        field,
        reason,
        code,
        payload: payload.subarray(0, keptPayloadBytes).toString('utf8'),
      });
      this.counters.rejected++;
      this.#log.warn({ terminalId, field, reason }, 'rejected a Z-report');
      return { ...(reportId === null ? {} : { event_id: reportId }), field, reason, code };
    }
    const report = parsed.report;
    const verdict = await this.#commit.submit({ kind: 'z_report', report, payload: payload.toString('utf8') });
    const result = verdict.zReport as ZReportResult;
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
