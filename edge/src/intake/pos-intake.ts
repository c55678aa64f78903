import type { Logger } from '@tillgate/shared';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { IntakeOutcome } from '../store/edge-store.ts';
import type { GroupCommit } from './group-commit.ts';
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

  constructor(rules: PosMessageRules, commit: GroupCommit, reply: ReplySink, log: Logger) {
    this.#rules = rules;
    this.#commit = commit;
    this.#reply = reply;
    this.#log = log;
  }

  async accept(topic: string, terminalId: string, payload: Buffer): Promise<IntakeOutcome> {
    const { item, reply } = classifyPosMessage(this.#rules, topic, terminalId, payload, new Date());
    let outcome: IntakeOutcome;
    try {
      outcome = await this.#commit.submit(item);
    } catch (error) {
      this.counters.refused++;
      if (error instanceof EdgeError && error.code === edgeErrorCodes.diskFull) {
        const eventId = item.kind === 'event' ? item.event.event_id : item.eventId;
        this.#reply(terminalId, {
          ...(eventId === null ? {} : { event_id: eventId }),
          field: '(agent)',
          reason: error.message,
          code: error.code,
        });
      }
      throw error;
    }
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
}
