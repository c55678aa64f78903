import type { Logger } from '@tillgate/shared';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { IntakeOutcome, TerminalFault } from '../store/edge-store.ts';
import type { GroupCommit, IntakeVerdict } from './group-commit.ts';
import { classifyPosMessage, type PosMessageRules, type RejectReply } from './pos-message.ts';

export type ReplySink = (terminalId: string, reply: RejectReply) => void;

/**
 * The path of one POS message, whichever broker it came through: classify, commit with its group,
 * tell the terminal why when it is refused. `accept` resolves when the message may be acknowledged
 * (stored, duplicate, or a durable reject) and rejects when it must not be (disk full, stopping).
 */
export class PosIntake {
  readonly #rules: PosMessageRules;
  readonly #commit: GroupCommit;
  readonly #reply: ReplySink;
  readonly #log: Logger;
  readonly counters = { stored: 0, duplicates: 0, rejected: 0, refused: 0 };
  /** Terminal numbering faults by kind (store/terminal-sequences.ts); GET /status shows them. */
  readonly terminalFaults = { seq_reused: 0, seq_restarted: 0, content_resent: 0 };

  constructor(rules: PosMessageRules, commit: GroupCommit, reply: ReplySink, log: Logger) {
    this.#rules = rules;
    this.#commit = commit;
    this.#reply = reply;
    this.#log = log;
  }

  async accept(topic: string, terminalId: string, payload: Buffer): Promise<IntakeOutcome> {
    const { item, reply } = classifyPosMessage(this.#rules, topic, terminalId, payload, new Date());
    let verdict: IntakeVerdict;
    try {
      verdict = await this.#commit.submit(item);
    } catch (error) {
      this.counters.refused++;
      if (error instanceof EdgeError && error.code === edgeErrorCodes.diskFull) {
        const eventId =
          item.kind === 'event' ? item.event.event_id : item.kind === 'reject' ? item.eventId : item.report.report_id;
        this.#reply(terminalId, {
          ...(eventId === null ? {} : { event_id: eventId }),
          field: '(agent)',
          reason: error.message,
          code: error.code,
        });
      }
      throw error;
    }
    const { outcome, fault } = verdict;
    if (fault !== null) this.#reportFault(fault);
    if (outcome === 'stored') this.counters.stored++;
    else if (outcome === 'duplicate') this.counters.duplicates++;
    else {
      this.counters.rejected++;
      if (reply !== null) {
        this.#log.warn({ terminalId, field: reply.field, reason: reply.reason }, 'rejected a POS message');
        this.#reply(terminalId, reply);
      }
    }
    return outcome;
  }

  /** A fault is the terminal's to fix: count it, log it for IT, and tell the terminal. */
  #reportFault(fault: TerminalFault): void {
    this.terminalFaults[fault.kind]++;
    const { code, reason } = faultReply(fault);
    this.#log.warn({ ...fault, code }, `terminal fault: ${reason}`);
    this.#reply(fault.terminalId, { event_id: fault.eventId, field: 'terminal_seq', reason, code });
  }
}

function faultReply(fault: TerminalFault): { code: string; reason: string } {
  const seq = `terminal_seq ${fault.terminalSeq}`;
  switch (fault.kind) {
    case 'seq_reused':
      return {
        code: edgeErrorCodes.terminalSeqReused,
        reason: `${seq} was already used by event "${fault.otherEventId}" with other content; the sale was stored and opens numbering epoch ${fault.epoch} — fix the terminal's counter (reinstall, reset, cloned till?)`,
      };
    case 'seq_restarted':
      return {
        code: edgeErrorCodes.terminalSeqRestarted,
        reason: `${seq} is below this terminal's numbering so far; the sale was stored and opens numbering epoch ${fault.epoch} — the terminal's counter was reset`,
      };
    case 'content_resent':
      return {
        code: edgeErrorCodes.terminalResentUnderNewId,
        reason: `is the same sale as event "${fault.otherEventId}" (same ${seq}, same content) under a new event_id; not stored again — a re-send must keep its event_id`,
      };
  }
}
