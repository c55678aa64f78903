import { mqttTopics, type PosEvent, type ZReport, type ZReportResult } from '@tillgate/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { PublishError } from './errors.ts';

export interface TerminalOptions {
  storeId: string;
  terminalId: string;
  /** The store's MQTT broker (the agent's embedded one, or Mosquitto). */
  url: string;
  password: string;
  /** QoS 1 messages in flight before `publish` waits: a real till sends one basket at a time, a backfill many. */
  window: number;
  onAck: (event: PosEvent) => void;
  onReject: (eventId: string | undefined, reason: string) => void;
  /** The agent's answer to a Z-report (match, or which numbers and totals differ). */
  onZReportResult?: (result: ZReportResult) => void;
}

/**
 * One POS terminal: its own MQTT connection and account (username = terminal id), publishing its events
 * QoS 1 in order. A persistent session (fixed client id, clean=false) means the client library resends
 * unacknowledged messages after a reconnect, as a till does when the store PC restarts; `onAck` fires
 * on the PUBACK, the moment the agent has committed the event to disk.
 */
export class Terminal {
  readonly #options: TerminalOptions;
  readonly #client: MqttClient;
  readonly #topic: string;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  /** Messages handed to the connection, and those since acknowledged or failed (Z-reports wait on them). */
  #sent = 0;
  #settled = 0;
  #settleWaiters: (() => void)[] = [];
  /** Z-reports sent and not answered yet, by report_id. */
  readonly #answers = new Map<string, { resolve: (result: ZReportResult) => void; reject: (error: Error) => void }>();
  #failure: Error | null = null;

  private constructor(options: TerminalOptions, client: MqttClient) {
    this.#options = options;
    this.#client = client;
    this.#topic = mqttTopics.posEvents(options.storeId, options.terminalId);
    client.on('message', (_topic, payload) => {
      let reply: { event_id?: string; field?: string; reason?: string; kind?: string } = {};
      try {
        reply = JSON.parse(payload.toString('utf8'));
      } catch {
        // A reply we cannot read still means a refusal; report it without the id.
      }
      if (reply.kind === 'z_report_result') {
        const result = reply as ZReportResult;
        options.onZReportResult?.(result);
        this.#answers.get(result.report_id)?.resolve(result);
        this.#answers.delete(result.report_id);
        return;
      }
      const refused = reply.event_id === undefined ? undefined : this.#answers.get(reply.event_id);
      if (refused !== undefined && reply.event_id !== undefined) {
        this.#answers.delete(reply.event_id);
        refused.reject(new PublishError(`Z-report ${reply.event_id} was rejected: ${reply.field}: ${reply.reason}`));
        return;
      }
      options.onReject(reply.event_id, `${reply.field ?? '?'}: ${reply.reason ?? payload.toString('utf8')}`);
    });
  }

  static async connect(options: TerminalOptions): Promise<Terminal> {
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(options.url, {
        username: options.terminalId,
        password: options.password,
        clientId: `sim-${options.storeId}-${options.terminalId}`,
        clean: false,
        reconnectPeriod: 1_000,
        connectTimeout: 10_000,
      });
      await client.subscribeAsync(mqttTopics.posReplies(options.storeId, options.terminalId), { qos: 1 });
    } catch (error) {
      throw new PublishError(
        `terminal ${options.storeId}/${options.terminalId} cannot connect to ${options.url}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new Terminal(options, client);
  }

  /** Queues one event; resolves once it is handed to the connection (not acked: see `onAck`). */
  async publish(event: PosEvent): Promise<void> {
    while (this.#inFlight >= this.#options.window && this.#failure === null) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure !== null) throw this.#failure;
    this.#inFlight++;
    this.#sent++;
    this.#client.publish(this.#topic, JSON.stringify(event), { qos: 1 }, (error) => {
      this.#inFlight--;
      this.#settled++;
      this.#waiters.shift()?.();
      for (const wake of this.#settleWaiters.splice(0)) wake();
      if (error === undefined || error === null) this.#options.onAck(event);
      else if (this.#failure === null) {
        this.#failure = new PublishError(`${this.#topic}: ${event.event_id} was not acknowledged: ${error.message}`, {
          cause: error,
        });
      }
    });
  }

  /**
   * Sends the day's Z-report at close, once every event published before it is acknowledged (so the
   * agent has them all when it reconciles), while later events may go on; resolves with the agent's
   * answer (also given to `onZReportResult`), rejects when the agent refuses the report or does not
   * answer within `answerMs` of its PUBACK.
   */
  async sendZReport(report: ZReport, answerMs = 60_000): Promise<ZReportResult> {
    const before = this.#sent;
    while (this.#settled < before && this.#failure === null) {
      await new Promise<void>((resolve) => this.#settleWaiters.push(resolve));
    }
    if (this.#failure !== null) throw this.#failure;
    const topic = mqttTopics.posZReport(this.#options.storeId, this.#options.terminalId);
    const answer = new Promise<ZReportResult>((resolve, reject) =>
      this.#answers.set(report.report_id, { resolve, reject }),
    );
    try {
      await this.#client.publishAsync(topic, JSON.stringify(report), { qos: 1 });
    } catch (error) {
      this.#answers.delete(report.report_id);
      throw new PublishError(`${topic}: ${report.report_id} was not acknowledged: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#answers.delete(report.report_id);
        reject(new PublishError(`${topic}: no answer to ${report.report_id} within ${answerMs} ms`));
      }, answerMs);
    });
    try {
      return await Promise.race([answer, silence]);
    } finally {
      clearTimeout(timer);
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for every queued message to be acknowledged, then disconnects. */
  async close(): Promise<void> {
    while (this.#inFlight > 0 && this.#failure === null) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    await this.#client.endAsync();
  }

  /** Disconnects at once; unacknowledged messages stay unacknowledged (a till switched off). */
  async abort(): Promise<void> {
    this.#failure ??= new PublishError(`terminal ${this.#topic} was switched off`);
    await this.#client.endAsync(true);
    for (const wake of this.#waiters.splice(0)) wake();
    for (const wake of this.#settleWaiters.splice(0)) wake();
  }
}
