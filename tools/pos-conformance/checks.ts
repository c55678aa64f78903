import { mqttTopics, type PosEvent, parsePosPayload, toCents, zReportTotalsOf } from '@tillgate/shared';
import type { Observation } from './observation.ts';

export type CheckOutcome = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  name: string;
  outcome: CheckOutcome;
  /** What was seen, in words a POS developer can act on. */
  evidence: string;
}

/** The checks of the POS contract (docs/pos-integration.md), each judged only on what the broker saw. */
export function runChecks(seen: Observation): CheckResult[] {
  return [
    topicCheck(seen),
    schemaCheck(seen),
    qosCheck(seen),
    resendCheck(seen),
    sequenceCheck(seen),
    repliesCheck(seen),
    zReportCheck(seen),
  ];
}

const result = (name: string, pass: boolean, evidence: string): CheckResult => ({
  name,
  outcome: pass ? 'pass' : 'fail',
  evidence,
});

function topicCheck(seen: Observation): CheckResult {
  const expected = mqttTopics.posEvents(seen.storeId, seen.terminalId);
  const wrong = seen.publishes.filter((publish) => publish.topic !== expected);
  return result(
    'publishes on its own events topic',
    seen.publishes.length > 0 && wrong.length === 0,
    wrong.length === 0
      ? `${seen.publishes.length} messages on ${expected}`
      : `${wrong.length} messages elsewhere, e.g. ${wrong[0]?.topic}; expected ${expected}`,
  );
}

function schemaCheck(seen: Observation): CheckResult {
  const bad = seen.publishes.filter((publish) => publish.violation !== undefined);
  return result(
    'payloads validate against the contract',
    seen.publishes.length > 0 && bad.length === 0,
    bad.length === 0
      ? `${seen.publishes.length} payloads valid (pos-event.v1.schema.json)`
      : `${bad.length} invalid, first: ${bad[0]?.violation}`,
  );
}

function qosCheck(seen: Observation): CheckResult {
  const low = seen.publishes.filter((publish) => publish.qos < 1);
  return result(
    'publishes with QoS 1',
    seen.publishes.length > 0 && low.length === 0,
    low.length === 0
      ? 'every message QoS 1'
      : `${low.length} of ${seen.publishes.length} messages at QoS 0: the agent cannot acknowledge them, a power cut loses them`,
  );
}

function resendCheck(seen: Observation): CheckResult {
  const name = 'after a withheld PUBACK, re-sends the same event_id';
  const withheld = seen.publishes.find((publish) => publish.withheld);
  if (withheld === undefined) return result(name, false, 'the terminal never sent enough events to withhold one');
  const later = seen.publishes.filter((publish) => publish.connection > withheld.connection);
  const same = later.find((publish) => publish.eventId === withheld.eventId);
  if (same !== undefined) {
    return result(
      name,
      true,
      `${withheld.eventId} re-sent on connection ${same.connection}${same.dup ? ' (DUP flag set)' : ''}`,
    );
  }
  const renamed = later.find(
    (publish) => publish.terminalSeq === withheld.terminalSeq && publish.eventId !== withheld.eventId,
  );
  if (renamed !== undefined) {
    return result(
      name,
      false,
      `terminal_seq ${withheld.terminalSeq} came back as ${renamed.eventId}, not ${withheld.eventId}: a re-send under a new event_id counts the sale twice`,
    );
  }
  return result(
    name,
    false,
    later.length === 0
      ? 'the terminal did not reconnect and send again after the dropped connection'
      : `${withheld.eventId} was never re-sent after reconnecting: the sale is lost`,
  );
}

function sequenceCheck(seen: Observation): CheckResult {
  const firstSeqs = new Map<string, number>();
  for (const publish of seen.publishes) {
    if (publish.eventId !== undefined && publish.terminalSeq !== undefined && !firstSeqs.has(publish.eventId)) {
      firstSeqs.set(publish.eventId, publish.terminalSeq);
    }
  }
  // Distinct numbers: a re-send under a fresh event_id reuses its number, which the re-send check judges.
  const seqs = [...new Set(firstSeqs.values())].sort((a, b) => a - b);
  const gaps: string[] = [];
  for (let i = 1; i < seqs.length; i++) {
    const previous = seqs[i - 1] ?? 0;
    const current = seqs[i] ?? 0;
    if (current !== previous + 1) gaps.push(`${previous} -> ${current}`);
  }
  return result(
    'terminal_seq increases by one per event',
    seqs.length > 1 && gaps.length === 0,
    gaps.length === 0
      ? `${seqs.length} events numbered ${seqs[0]}..${seqs.at(-1)}`
      : `jumps: ${gaps.slice(0, 5).join(', ')}`,
  );
}

function repliesCheck(seen: Observation): CheckResult {
  const replies = mqttTopics.posReplies(seen.storeId, seen.terminalId);
  const subscribed = seen.subscriptions.some((subscription) => subscription.topic === replies && subscription.qos >= 1);
  if (!subscribed)
    return result(
      'subscribes to its replies and keeps going after a reject',
      false,
      `no QoS 1 subscription to ${replies}`,
    );
  const rejected = seen.rejected;
  const wentOn = rejected !== null && seen.publishes.length > rejected.publishedAfter;
  return result(
    'subscribes to its replies and keeps going after a reject',
    wentOn,
    wentOn
      ? `subscribed to ${replies}; sent ${seen.publishes.length - (rejected?.publishedAfter ?? 0)} more messages after the reject of ${rejected?.eventId}`
      : 'the terminal stopped publishing after the kit rejected one event',
  );
}

function zReportCheck(seen: Observation): CheckResult {
  const name = 'sends a Z-report at close that matches its events';
  const topic = mqttTopics.posZReport(seen.storeId, seen.terminalId);
  const last = seen.zReports.at(-1);
  if (last === undefined) return result(name, false, `no message on ${topic} after the day's events`);
  if (last.report === undefined) return result(name, false, `the Z-report is invalid: ${last.violation}`);
  if (last.qos < 1) return result(name, false, 'the Z-report was sent at QoS 0: a power cut loses it');
  const after = seen.publishes.length - last.publishedBefore;
  if (after > 0) return result(name, false, `${after} events came after the Z-report; it closes the day`);
  // What the terminal rang: the first valid event under each number, whatever it re-sent.
  const rang = new Map<number, PosEvent>();
  for (const publish of seen.publishes) {
    const parsed = publish.violation === undefined ? parsePosPayload(publish.payload, new Date()) : null;
    if (parsed?.ok && !rang.has(parsed.event.terminal_seq)) rang.set(parsed.event.terminal_seq, parsed.event);
  }
  const events = [...rang.values()];
  const totals = zReportTotalsOf(events);
  const seqs = events.map((event) => event.terminal_seq);
  const report = last.report;
  const expected: [string, number | null, number | null][] = [
    ['first_seq', report.first_seq, seqs.length === 0 ? null : Math.min(...seqs)],
    ['last_seq', report.last_seq, seqs.length === 0 ? null : Math.max(...seqs)],
    ...Object.entries(totals.counts).map(([type, count]): [string, number, number] => [
      `counts.${type}`,
      report.counts[type as PosEvent['type']],
      count,
    ]),
    ['baskets', report.baskets, totals.baskets],
    ['gross_sales (cents)', toCents(report.gross_sales), toCents(totals.gross_sales)],
    ['net_sales (cents)', toCents(report.net_sales), toCents(totals.net_sales)],
  ];
  const wrong = expected.filter(([, reported, sent]) => reported !== sent);
  return result(
    name,
    wrong.length === 0,
    wrong.length === 0
      ? `${report.report_id}: ${events.length} events numbered ${report.first_seq}..${report.last_seq}, gross ${report.gross_sales}, net ${report.net_sales}, as sent`
      : `${report.report_id} differs from the events sent: ${wrong.map(([field, reported, sent]) => `${field} ${reported} (sent ${sent})`).join(', ')}`,
  );
}
