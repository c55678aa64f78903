import { ContractViolation } from '../errors.ts';
import { issuePath } from '../zod-issue-path.ts';
import { contractReasonOf, type PosPayloadLimits } from './parse-pos-payload.ts';
import { type ReceivedZReport, zReport } from './z-report.ts';

export type ZReportPayloadResult = { ok: true; report: ReceivedZReport } | { ok: false; violation: ContractViolation };

/** The earliest UTC offset in use (UTC-12): a business day later than "today" there has not begun anywhere. */
const latestOffsetMs = 14 * 3_600_000;

/**
 * Turns the bytes a terminal published on its z-report topic into a validated, edge-stamped report,
 * or says exactly what is wrong (the same limits as events: size, JSON, the contract, the clock).
 * Never throws on bad input.
 */
export function parseZReportPayload(
  payload: Uint8Array | string,
  receivedAt: Date,
  limits: Pick<PosPayloadLimits, 'maxBytes' | 'futureToleranceMs'>,
): ZReportPayloadResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > limits.maxBytes) return reject('(payload)', `payload is ${size} bytes; the limit is ${limits.maxBytes}`);
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (error) {
    return reject('(payload)', `payload is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject('(payload)', 'payload must be a JSON object');
  }
  const parsed = zReport.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return issue === undefined
      ? reject('(payload)', 'invalid z_report')
      : reject(issuePath(issue, '(payload)'), contractReasonOf(issue));
  }
  const report = parsed.data;
  if (Date.parse(report.closed_at) - receivedAt.getTime() > limits.futureToleranceMs) {
    return reject(
      'closed_at',
      `${report.closed_at} is more than ${limits.futureToleranceMs / 1000}s ahead of the store clock; a day is reported after it closes`,
    );
  }
  const latestToday = new Date(receivedAt.getTime() + latestOffsetMs).toISOString().slice(0, 10);
  if (report.business_day > latestToday) {
    return reject(
      'business_day',
      `${report.business_day} has not begun yet (the store clock says ${receivedAt.toISOString()})`,
    );
  }
  return { ok: true, report: { ...report, received_at: receivedAt.toISOString() } };
}

function reject(field: string, reason: string): ZReportPayloadResult {
  return { ok: false, violation: new ContractViolation(field, reason) };
}
