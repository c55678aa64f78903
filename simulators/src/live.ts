import { appendFileSync } from 'node:fs';
import type { PosEvent, PosEventType, ZReportResult } from '@tillgate/shared';
import { generateCatalog } from './catalog.ts';
import { SimulatorOptionError } from './errors.ts';
import type { StockoutTruth } from './ground-truth.ts';
import type { Scenario } from './scenario.ts';
import { type SimItem, StoreSimulator } from './store-simulator.ts';
import { Terminal } from './terminal.ts';
import { ZReportDay } from './z-report-day.ts';

/** Where one simulated store's terminals publish: its agent's MQTT broker and their accounts. */
export interface LiveStore {
  storeId: string;
  mqttUrl: string;
  /** Terminal id -> password. Needs every id of `StoreSimulator.terminalIds` (pos-01.., bo-01, door-01). */
  passwords: Record<string, string>;
}

export interface LiveOptions {
  scenario: Scenario;
  stores: LiveStore[];
  /** Simulated start instant (epoch ms); the first thing each store sends is a full stock-take. */
  from: number;
  /** Events before this simulated instant are sent as fast as the agents acknowledge them (backfill). */
  fastUntil: number;
  /** Simulated ms per wall ms after the backfill: 60 = one simulated minute per second. */
  speed: number;
  /** Simulated end; null runs until `stop()`. */
  until: number | null;
  /** Items up to this instant were delivered by an earlier run: regenerated for state, not re-sent. */
  resumeAfter: number | null;
  /** JSON lines file the ground truth is appended to as stock-outs start and end; null = memory only. */
  groundTruthFile: string | null;
  /** Keep every acknowledged event in memory (tests compare them with ClickHouse). */
  recordAcks: boolean;
  /** QoS 1 messages in flight per terminal. */
  window: number;
}

export interface LiveStats {
  simNow: string;
  phase: 'backfill' | 'timed' | 'finished';
  published: number;
  acked: number;
  rejected: number;
  ackedByType: Partial<Record<PosEventType, number>>;
  stockoutsOpen: number;
  stockoutsInjected: number;
  /** Z-reports sent at the close of each simulated day, and the agents' answers so far. */
  zReports: { sent: number; matched: number; mismatched: number };
}

const TICK_MS = 25;

interface StoreRun {
  simulator: StoreSimulator;
  terminals: Map<string, Terminal>;
  queue: SimItem[];
  next: number;
  /** event_id -> occurred_at ms of events published and not yet acknowledged. */
  inFlight: Map<string, number>;
  /** Simulated instant of the last item handed out. */
  handledUntil: number;
  backfilled: boolean;
  /** Each terminal's running totals of the business day (its Z-report at close). */
  days: Map<string, ZReportDay>;
  /** Z-reports on their way (each waits for its day's acknowledgements, not the store's later events). */
  reports: Promise<void>[];
}

/**
 * Runs simulated stores against real MQTT brokers. Time is simulated: a backfill phase sends the
 * past quickly, then the clock runs at `speed` x wall time but never ahead of the wall clock, since
 * agents refuse events from the future. Deterministic for (scenario, from): a resumed run regenerates
 * the same events with the same ids, so anything sent twice is deduplicated downstream.
 */
export class LiveRun {
  readonly acked = new Map<string, PosEvent>();
  readonly rejected = new Map<string, string>();
  /** Ground truth by `<store>/<sku>@<start>`: the end record replaces the start one. */
  readonly stockouts = new Map<string, StockoutTruth>();
  /** The agents' latest answer to each Z-report sent, by report_id. */
  readonly zReportResults = new Map<string, ZReportResult>();
  readonly done: Promise<void>;
  readonly #options: LiveOptions;
  readonly #stores: StoreRun[];
  readonly #ackedByType: Partial<Record<PosEventType, number>> = {};
  #published = 0;
  #ackedCount = 0;
  #zReportsSent = 0;
  #timedFromWall: number | null = null;
  #stopping = false;
  #finished = false;

  private constructor(options: LiveOptions, stores: StoreRun[]) {
    this.#options = options;
    this.#stores = stores;
    this.done = Promise.all(stores.map((store) => this.#drive(store))).then(() => {
      this.#finished = true;
    });
  }

  static async start(options: LiveOptions): Promise<LiveRun> {
    if (options.fastUntil < options.from) throw new SimulatorOptionError('fastUntil', 'must not be before from');
    if (options.speed <= 0) throw new SimulatorOptionError('speed', 'must be greater than 0');
    if (options.fastUntil > Date.now()) throw new SimulatorOptionError('fastUntil', 'must not be in the future');
    const catalog = generateCatalog(options.scenario.seed, options.scenario.skus);
    const stores: StoreRun[] = [];
    let run: LiveRun | null = null;
    try {
      for (const store of options.stores) {
        const simulator = new StoreSimulator(options.scenario, catalog, store.storeId, options.from);
        const terminals = new Map<string, Terminal>();
        const storeRun: StoreRun = {
          simulator,
          terminals,
          queue: [],
          next: 0,
          inFlight: new Map(),
          handledUntil: options.from,
          backfilled: false,
          days: new Map(),
          reports: [],
        };
        stores.push(storeRun);
        for (const terminalId of simulator.terminalIds) {
          const password = store.passwords[terminalId];
          if (password === undefined) {
            throw new SimulatorOptionError('stores', `no password for terminal ${terminalId} of ${store.storeId}`);
          }
          terminals.set(
            terminalId,
            await Terminal.connect({
              storeId: store.storeId,
              terminalId,
              url: store.mqttUrl,
              password,
              window: options.window,
              onAck: (event) => {
                storeRun.inFlight.delete(event.event_id);
                if (run !== null) run.#ack(event);
              },
              onReject: (eventId, reason) => run?.rejected.set(eventId ?? `unknown-${run.rejected.size}`, reason),
              onZReportResult: (result) => run?.zReportResults.set(result.report_id, result),
            }),
          );
        }
      }
    } catch (error) {
      await Promise.all(stores.flatMap((s) => [...s.terminals.values()].map((t) => t.abort())));
      throw error;
    }
    run = new LiveRun(options, stores);
    return run;
  }

  /** The simulated clock now. */
  simNow(): number {
    const { fastUntil, speed, until } = this.#options;
    const clock = this.#timedFromWall === null ? fastUntil : fastUntil + (Date.now() - this.#timedFromWall) * speed;
    return Math.min(clock, Date.now(), until ?? Number.POSITIVE_INFINITY);
  }

  /** Simulated instant up to which every event of every store is acknowledged: a safe resume point. */
  checkpoint(): number {
    return Math.min(
      ...this.#stores.map((store) =>
        store.inFlight.size === 0 ? store.handledUntil : Math.min(...store.inFlight.values()) - 1,
      ),
    );
  }

  stats(): LiveStats {
    const open = [...this.stockouts.values()].filter((s) => s.end === null).length;
    return {
      simNow: new Date(this.simNow()).toISOString(),
      phase: this.#finished ? 'finished' : this.#timedFromWall === null ? 'backfill' : 'timed',
      published: this.#published,
      acked: this.#ackedCount,
      rejected: this.rejected.size,
      ackedByType: { ...this.#ackedByType },
      stockoutsOpen: open,
      stockoutsInjected: [...this.stockouts.values()].filter((s) => s.injected).length,
      zReports: {
        sent: this.#zReportsSent,
        matched: [...this.zReportResults.values()].filter((r) => r.outcome === 'match').length,
        mismatched: [...this.zReportResults.values()].filter((r) => r.outcome === 'mismatch').length,
      },
    };
  }

  /** Stops sending, waits for the acknowledgements of what was sent, disconnects the terminals. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.done;
    await Promise.all(this.#stores.flatMap((s) => s.reports));
    await Promise.all(this.#stores.flatMap((s) => [...s.terminals.values()].map((t) => t.close())));
  }

  async #drive(store: StoreRun): Promise<void> {
    while (!this.#stopping) {
      const now = this.simNow();
      for (let item = this.#peek(store); item !== undefined && item.at <= now; item = this.#peek(store)) {
        store.next++;
        store.handledUntil = item.at;
        await this.#handle(store, item);
        if (this.#stopping) return;
      }
      if (!store.backfilled && now >= this.#options.fastUntil && this.#timedFromWall === null) {
        store.backfilled = true;
        if (this.#stores.every((s) => s.backfilled)) this.#timedFromWall = Date.now();
      }
      if (this.#options.until !== null && now >= this.#options.until) return;
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }

  #peek(store: StoreRun): SimItem | undefined {
    while (store.next >= store.queue.length) {
      store.queue = store.simulator.nextDay();
      store.next = 0;
    }
    return store.queue[store.next];
  }

  async #handle(store: StoreRun, item: SimItem): Promise<void> {
    const replay = this.#options.resumeAfter !== null && item.at <= this.#options.resumeAfter;
    if (item.kind === 'event') {
      const terminalId = item.event.terminal_id;
      const day =
        store.days.get(terminalId) ?? new ZReportDay(store.simulator.storeId, terminalId, dayStartOf(item.at));
      store.days.set(terminalId, day);
      day.record(item.event);
      if (replay) return;
      const terminal = store.terminals.get(terminalId) as Terminal;
      store.inFlight.set(item.event.event_id, item.at);
      this.#published++;
      await terminal.publish(item.event);
    } else if (item.kind === 'close') {
      // Each terminal that rang anything today closes its day with a Z-report once the day's events
      // are acknowledged (Terminal.sendZReport waits for them) and counts it once answered; the next
      // day's events go on meanwhile.
      const days = [...store.days.entries()];
      store.days.clear();
      if (replay) return;
      for (const [terminalId, day] of days) {
        const report = day.report(new Date(item.at));
        store.reports.push(
          (store.terminals.get(terminalId) as Terminal).sendZReport(report).then(
            () => {
              this.#zReportsSent++;
            },
            (error: Error) => {
              this.rejected.set(report.report_id, error.message);
            },
          ),
        );
      }
    } else if (item.kind === 'stockout-start' || item.kind === 'stockout-end') {
      const key = `${item.stockout.store_id}/${item.stockout.sku}@${item.stockout.start}`;
      this.stockouts.set(key, item.stockout);
      if (!replay && this.#options.groundTruthFile !== null) {
        appendFileSync(this.#options.groundTruthFile, `${JSON.stringify({ kind: item.kind, ...item.stockout })}\n`);
      }
    }
  }

  #ack(event: PosEvent): void {
    this.#ackedCount++;
    this.#ackedByType[event.type] = (this.#ackedByType[event.type] ?? 0) + 1;
    if (this.#options.recordAcks) this.acked.set(event.event_id, event);
  }
}

const dayMs = 86_400_000;
/** The UTC midnight a simulated instant belongs to: the simulator's business days are UTC days. */
const dayStartOf = (at: number): Date => new Date(Math.floor(at / dayMs) * dayMs);
