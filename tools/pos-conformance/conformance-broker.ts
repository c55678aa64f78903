import { createServer, type Server } from 'node:net';
import {
  missingSeqRanges,
  mqttTopics,
  type PosEvent,
  parsePosPayload,
  parseZReportPayload,
  reconcileZReport,
  zReportTotalsOf,
} from '@tillgate/shared';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Observation, SeenPublish } from './observation.ts';

export interface ConformanceBrokerOptions {
  storeId: string;
  terminalId: string;
  password: string;
  /** The 1-based new event whose PUBACK is withheld (the connection is dropped instead). */
  withholdAt: number;
  /** The 1-based new event the kit answers with a reject on the terminal's replies topic. */
  rejectAt: number;
}

/**
 * A test broker (aedes, as the agent's embedded broker) with one terminal account. It acknowledges
 * like the agent does (PUBACK from authorizePublish) and records everything for the checks, with
 * two deliberate faults: one PUBACK is withheld and the connection dropped, as a store PC that loses
 * power mid-commit; and one event is answered with a reject, as the agent answers bad data.
 */
export class ConformanceBroker {
  readonly observation: Observation;
  readonly #options: ConformanceBrokerOptions;
  readonly #broker: Aedes;
  readonly #server: Server;
  readonly #connectionOf = new WeakMap<Client, number>();
  readonly #eventIds = new Set<string>();
  /** The first valid event seen under each terminal_seq: what the terminal rang, whatever it re-sent. */
  readonly #events = new Map<number, PosEvent>();
  #withheldDone = false;

  private constructor(options: ConformanceBrokerOptions, broker: Aedes) {
    this.#options = options;
    this.#broker = broker;
    this.#server = createServer(broker.handle);
    this.observation = {
      storeId: options.storeId,
      terminalId: options.terminalId,
      publishes: [],
      subscriptions: [],
      rejected: null,
      connections: 0,
      zReports: [],
    };
  }

  static async start(options: ConformanceBrokerOptions): Promise<ConformanceBroker> {
    let kit: ConformanceBroker | undefined;
    const broker = await Aedes.createBroker({
      authenticate(_client, username, password, done) {
        if (username === options.terminalId && password?.toString('utf8') === options.password) {
          done(null, true);
          return;
        }
        const error = new Error('bad user name or password') as AuthenticateError;
        error.returnCode = 5;
        done(error, false);
      },
      authorizePublish: (client, packet, callback) => kit?.onPublish(client, packet, callback),
      authorizeSubscribe(client, subscription, callback) {
        kit?.observation.subscriptions.push({
          connection: kit.connectionOf(client),
          topic: subscription.topic,
          qos: subscription.qos,
        });
        callback(null, subscription);
      },
    });
    const started = new ConformanceBroker(options, broker);
    kit = started;
    broker.on('client', (client) => started.onClient(client));
    await new Promise<void>((resolve, reject) => {
      started.#server.once('error', reject);
      started.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return started;
  }

  get url(): string {
    const address = this.#server.address();
    return `mqtt://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  /** Distinct event ids seen so far. */
  get distinctEvents(): number {
    return this.#eventIds.size;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  connectionOf(client: Client | null): number {
    return client === null ? -1 : (this.#connectionOf.get(client) ?? -1);
  }

  onClient(client: Client): void {
    this.#connectionOf.set(client, this.observation.connections++);
  }

  #onZReport(client: Client | null, qos: number, payload: string): void {
    const parsed = parseZReportPayload(payload, new Date(), { maxBytes: 64 * 1024, futureToleranceMs: 5 * 60_000 });
    const seen = {
      connection: this.connectionOf(client),
      qos,
      payload,
      publishedBefore: this.observation.publishes.length,
      ...(parsed.ok
        ? { report: parsed.report }
        : { violation: `${parsed.violation.field}: ${parsed.violation.reason}` }),
    };
    this.observation.zReports.push(seen);
    if (!parsed.ok) return;
    const events = [...this.#events.values()].sort((a, b) => a.terminal_seq - b.terminal_seq);
    const missing = missingSeqRanges(
      parsed.report.first_seq,
      parsed.report.last_seq,
      events.map((event) => event.terminal_seq),
    );
    const result = reconcileZReport(parsed.report, { found: zReportTotalsOf(events), ...missing }, 'edge', new Date());
    this.#broker.publish(
      {
        cmd: 'publish',
        topic: mqttTopics.posReplies(this.#options.storeId, this.#options.terminalId),
        payload: Buffer.from(JSON.stringify(result)),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  }

  onPublish(
    client: Client | null,
    packet: { topic: string; qos: number; dup: boolean; payload: unknown },
    done: (error?: Error | null) => void,
  ) {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    if (packet.topic === mqttTopics.posZReport(this.#options.storeId, this.#options.terminalId)) {
      done(null);
      this.#onZReport(client, packet.qos, payload);
      return;
    }
    const seen: SeenPublish = {
      connection: this.connectionOf(client),
      topic: packet.topic,
      qos: packet.qos,
      dup: packet.dup,
      payload,
      withheld: false,
    };
    const parsed = parsePosPayload(payload, new Date());
    if (parsed.ok) {
      seen.eventId = parsed.event.event_id;
      seen.terminalSeq = parsed.event.terminal_seq;
      if (!this.#events.has(parsed.event.terminal_seq)) this.#events.set(parsed.event.terminal_seq, parsed.event);
    } else {
      seen.violation = `${parsed.violation.field}: ${parsed.violation.reason}`;
      const loose = looseEnvelope(payload);
      seen.eventId = loose.eventId;
      seen.terminalSeq = loose.terminalSeq;
    }
    const isNew = seen.eventId !== undefined && !this.#eventIds.has(seen.eventId);
    if (seen.eventId !== undefined) this.#eventIds.add(seen.eventId);
    this.observation.publishes.push(seen);
    if (isNew && !this.#withheldDone && this.#eventIds.size === this.#options.withholdAt) {
      // No PUBACK: drop the connection, as a store PC that lost power before the commit.
      this.#withheldDone = true;
      seen.withheld = true;
      client?.conn.destroy();
      return;
    }
    done(null);
    if (isNew && this.#eventIds.size === this.#options.rejectAt && seen.eventId !== undefined) {
      this.observation.rejected = { eventId: seen.eventId, publishedAfter: this.observation.publishes.length };
      const reply = JSON.stringify({
        event_id: seen.eventId,
        field: 'lines.0.quantity',
        reason: 'conformance kit: a test reject',
      });
      this.#broker.publish(
        {
          cmd: 'publish',
          topic: mqttTopics.posReplies(this.#options.storeId, this.#options.terminalId),
          payload: Buffer.from(reply),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => undefined,
      );
    }
  }
}

function looseEnvelope(payload: string): { eventId?: string; terminalSeq?: number } {
  try {
    const value = JSON.parse(payload) as { event_id?: unknown; terminal_seq?: unknown };
    return {
      ...(typeof value.event_id === 'string' ? { eventId: value.event_id } : {}),
      ...(typeof value.terminal_seq === 'number' ? { terminalSeq: value.terminal_seq } : {}),
    };
  } catch {
    return {};
  }
}
