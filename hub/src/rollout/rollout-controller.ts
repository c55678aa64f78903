import { randomUUID } from 'node:crypto';
import type { Logger } from '@tillgate/shared';
import type { ModelChannel, ModelRegistry } from '@tillgate/shared/registry';
import { HubError, hubErrorCodes } from '../errors.ts';
import { type AlertRateVerdict, alertRateVerdict } from './alert-rate-gate.ts';
import type { AssignmentPublisher } from './assignment-publisher.ts';
import { describeCohort, inCohort, type RegistryStore, swapWindowFor } from './fleet-registry.ts';
import { type Rollout, type RolloutRequest, type RolloutStatus, waveSizes } from './rollout-spec.ts';
import type { RolloutStep, RolloutStore, StoreUpdate } from './rollout-store.ts';

export interface RolloutView {
  rollout: Rollout;
  waves: { size: number; stores: string[] }[];
  stores: {
    store_id: string;
    wave: number;
    outcome: 'pending' | 'active' | 'failed';
    state: string;
    reason: string;
    /** The alert-rate gate's last verdict on the store (null: not judged yet, or no gate). */
    alert_rate: AlertRateVerdict | null;
  }[];
  /** s from the rollout's creation to every targeted store running the version (when completed). */
  release_to_all_active_seconds: number | null;
  steps: RolloutStep[];
}

interface Live {
  rollout: Rollout;
  stores: string[];
  assigned: Set<string>;
  outcomes: Map<string, string>;
  alertRates: Map<string, AlertRateVerdict>;
  healthySince: number | null;
  allActiveAt: number | null;
}

const controllerActor = 'controller';
const failedStates = new Set(['rejected', 'rolled_back']);

/**
 * Runs rollouts: assigns each wave's stores, reads their updater state from heartbeats, starts the
 * next wave once the current one has been healthy (every store active with the version, none failed)
 * for gate_seconds, and stops by itself when the failed share of assigned stores passes the threshold.
 * Every decision is a step in ClickHouse. One controller per hub (it runs beside the API).
 */
export class RolloutController {
  readonly #store: RolloutStore;
  readonly #registry: ModelRegistry;
  readonly #publisher: AssignmentPublisher;
  readonly #log: Logger;
  readonly #live = new Map<string, Live>();
  #timer: NodeJS.Timeout | null = null;
  #lastStepMs = 0;
  #ticking: Promise<void> = Promise.resolve();

  constructor(store: RolloutStore, registry: ModelRegistry, publisher: AssignmentPublisher, log: Logger) {
    this.#store = store;
    this.#registry = registry;
    this.#publisher = publisher;
    this.#log = log;
  }

  /** Loads unfinished rollouts (a hub restart continues them) and ticks every `tickMs`. */
  async start(tickMs: number): Promise<void> {
    for (const rollout of await this.#store.all()) {
      if (rollout.status !== 'running' && rollout.status !== 'paused') continue;
      const steps = await this.#store.steps(rollout.rollout_id);
      const live = await this.#track(rollout);
      for (const step of steps) {
        if (step.step === 'assigned') live.assigned.add(step.store_id);
        if (step.step === 'store_outcome') live.outcomes.set(step.store_id, step.outcome);
      }
    }
    this.#timer = setInterval(() => {
      this.#ticking = this.#ticking
        .then(() => this.tick())
        .catch((error) => this.#log.warn({ err: error }, 'rollout tick failed'));
    }, tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#ticking;
  }

  async create(request: RolloutRequest, actor: string): Promise<Rollout> {
    const release = await this.#registry.readRelease(request.model, request.version).catch((cause) => {
      throw new HubError(
        hubErrorCodes.rollout,
        `${request.model}@${request.version} is not in the model registry: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    });
    const keyId = request.key_id ?? (await this.#keyIdFromChannels(request.model, request.version));
    const target = await this.#resolveTarget(request.target);
    const now = new Date().toISOString();
    const { key_id: _ignored, ...rest } = request;
    const rollout: Rollout = {
      ...rest,
      rollout_id: `ro-${randomUUID().slice(0, 12)}`,
      key_id: keyId,
      target_stores: target.stores,
      status: 'running',
      current_wave: 0,
      created_by: actor,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    const live = await this.#track(rollout);
    await this.#store.save(rollout);
    await this.#store.record([
      this.#step(
        rollout,
        actor,
        'created',
        '',
        'ok',
        `${release.manifest.name}@${release.manifest.version} to ${live.stores.length} store(s)${target.note}`,
      ),
    ]);
    await this.#startWave(live, actor);
    return rollout;
  }

  pause = (id: string, actor: string) => this.#transition(id, actor, 'paused', ['running']);
  resume = (id: string, actor: string) => this.#transition(id, actor, 'running', ['paused']);

  async abort(id: string, actor: string): Promise<Rollout> {
    const rollout = await this.#transition(id, actor, 'aborted', ['running', 'paused']);
    await this.#cancelPending(this.#live.get(id) as Live);
    return rollout;
  }

  async view(id: string): Promise<RolloutView> {
    const live = this.#live.get(id) ?? (await this.#trackFinished(id));
    const sizes = waveSizes(live.rollout.waves, live.stores.length);
    const updates = new Map((await this.#store.storeUpdates(id)).map((update) => [update.store_id, update]));
    return {
      rollout: live.rollout,
      waves: sizes.map((size, index) => ({
        size,
        stores: live.stores.slice(index === 0 ? 0 : sizes[index - 1], size),
      })),
      stores: live.stores.map((storeId) => {
        const update = updates.get(storeId);
        return {
          store_id: storeId,
          wave: sizes.findIndex((size, index) => live.stores.indexOf(storeId) < size && index >= 0),
          outcome: this.#outcome(live.rollout, update),
          state: update?.update_state ?? (live.assigned.has(storeId) ? 'assigned' : 'not_assigned'),
          reason: update?.update_reason ?? '',
          alert_rate: live.alertRates.get(storeId) ?? null,
        };
      }),
      release_to_all_active_seconds:
        live.allActiveAt === null ? null : (live.allActiveAt - Date.parse(live.rollout.created_at)) / 1000,
      steps: await this.#store.steps(id),
    };
  }

  async list(): Promise<Rollout[]> {
    return this.#store.all();
  }

  /** One pass over the running rollouts (public for tests that step time themselves). */
  async tick(): Promise<void> {
    for (const live of this.#live.values()) {
      if (live.rollout.status === 'running') await this.#advance(live);
    }
  }

  async #advance(live: Live): Promise<void> {
    const { rollout } = live;
    const sizes = waveSizes(rollout.waves, live.stores.length);
    const members = live.stores.slice(0, sizes[rollout.current_wave]);
    const updates = new Map((await this.#store.storeUpdates(rollout.rollout_id)).map((u) => [u.store_id, u]));
    const steps: RolloutStep[] = [];
    for (const storeId of live.assigned) {
      const update = updates.get(storeId);
      const outcome = this.#outcome(rollout, update);
      if (outcome !== 'pending' && live.outcomes.get(storeId) !== `${outcome}:${update?.update_state}`) {
        live.outcomes.set(storeId, `${outcome}:${update?.update_state}`);
        steps.push(
          this.#step(
            rollout,
            controllerActor,
            'store_outcome',
            storeId,
            update?.update_state ?? '',
            update?.update_reason ?? '',
          ),
        );
      }
    }
    const failed = [...live.assigned].filter((storeId) => this.#outcome(rollout, updates.get(storeId)) === 'failed');
    if (failed.length / Math.max(1, live.assigned.size) > rollout.failure_threshold) {
      await this.#store.record(steps);
      await this.#finish(
        live,
        'stopped',
        `${failed.length} of ${live.assigned.size} assigned store(s) failed (threshold ${rollout.failure_threshold})`,
      );
      await this.#cancelPending(live);
      return;
    }
    const allActive = members.every((storeId) => this.#outcome(rollout, updates.get(storeId)) === 'active');
    const healthy = allActive && (await this.#alertRatesHold(live, members, updates, steps));
    live.healthySince = healthy ? (live.healthySince ?? Date.now()) : null;
    if (allActive && live.allActiveAt === null && members.length === live.stores.length) live.allActiveAt = Date.now();
    await this.#store.record(steps);
    if (live.healthySince === null || Date.now() - live.healthySince < rollout.gate_seconds * 1000) return;
    if (rollout.current_wave + 1 >= sizes.length) {
      const seconds = ((live.allActiveAt ?? Date.now()) - Date.parse(rollout.created_at)) / 1000;
      await this.#finish(
        live,
        'completed',
        `all ${live.stores.length} store(s) active; release to all active ${seconds.toFixed(1)} s`,
      );
      return;
    }
    await this.#store.record([
      this.#step(
        rollout,
        controllerActor,
        'wave_passed',
        '',
        'ok',
        `wave ${rollout.current_wave + 1} healthy for ${rollout.gate_seconds} s`,
      ),
    ]);
    this.#update(live, { current_wave: rollout.current_wave + 1 });
    await this.#store.save(live.rollout);
    live.healthySince = null;
    await this.#startWave(live, controllerActor);
  }

  /**
   * The alert-rate part of the gate, for a wave whose stores all run the version: each store's rate
   * since its swap within the bounds of its own history (a step whenever a store's verdict changes).
   * A store not judged yet (too few sales since the swap) or out of bounds holds the wave.
   */
  async #alertRatesHold(
    live: Live,
    members: string[],
    updates: Map<string, StoreUpdate>,
    steps: RolloutStep[],
  ): Promise<boolean> {
    const bounds = live.rollout.alert_rate;
    if (bounds === null) return true;
    const swaps = members.map((storeId) => ({
      store_id: storeId,
      swap_ms: updates.get(storeId)?.since_ms ?? Date.now(),
    }));
    let holds = true;
    for (const counts of await this.#store.alertCounts(live.rollout.version, swaps, bounds.history_hours)) {
      const verdict = alertRateVerdict(counts, bounds);
      const before = live.alertRates.get(counts.store_id);
      live.alertRates.set(counts.store_id, verdict);
      if (verdict.kind !== 'within') holds = false;
      if (verdict.kind !== 'unjudged' && verdict.kind !== before?.kind) {
        steps.push(this.#step(live.rollout, controllerActor, 'alert_rate', counts.store_id, verdict.kind, verdict.why));
      }
    }
    return holds;
  }

  async #startWave(live: Live, actor: string): Promise<void> {
    const { rollout } = live;
    const sizes = waveSizes(rollout.waves, live.stores.length);
    const fresh = live.stores.slice(0, sizes[rollout.current_wave]).filter((storeId) => !live.assigned.has(storeId));
    const registry = new Map((await this.#store.storeRegistry()).map((store) => [store.store_id, store]));
    const windows = new Map(fresh.map((storeId) => [storeId, swapWindowFor(rollout, registry.get(storeId))]));
    await this.#publisher.send(
      rollout,
      fresh,
      'install',
      new Map([...windows].map(([storeId, planned]) => [storeId, planned.window])),
    );
    for (const storeId of fresh) live.assigned.add(storeId);
    await this.#store.record([
      this.#step(
        rollout,
        actor,
        'wave_started',
        '',
        'ok',
        `wave ${rollout.current_wave + 1} of ${sizes.length}: ${fresh.length} store(s)`,
      ),
      ...fresh.map((storeId) =>
        this.#step(rollout, actor, 'assigned', storeId, 'pending', windows.get(storeId)?.source ?? ''),
      ),
    ]);
  }

  async #cancelPending(live: Live): Promise<void> {
    const updates = new Map((await this.#store.storeUpdates(live.rollout.rollout_id)).map((u) => [u.store_id, u]));
    const pending = [...live.assigned].filter(
      (storeId) => this.#outcome(live.rollout, updates.get(storeId)) === 'pending',
    );
    await this.#publisher.send(live.rollout, pending, 'cancel');
  }

  #outcome(rollout: Rollout, update: StoreUpdate | undefined): 'pending' | 'active' | 'failed' {
    if (update === undefined) return 'pending';
    if (failedStates.has(update.update_state)) return 'failed';
    if (update.update_state === 'active' && update.model_version === rollout.version) return 'active';
    return 'pending';
  }

  async #transition(id: string, actor: string, to: RolloutStatus, from: RolloutStatus[]): Promise<Rollout> {
    const live = this.#live.get(id);
    if (live === undefined) throw new HubError(hubErrorCodes.rolloutNotFound, `no running or paused rollout ${id}`);
    if (!from.includes(live.rollout.status)) {
      throw new HubError(
        hubErrorCodes.rollout,
        `rollout ${id} is ${live.rollout.status}; only a ${from.join(' or ')} rollout can be ${to}`,
      );
    }
    if (to === 'aborted') {
      await this.#finish(live, 'aborted', `aborted by ${actor}`, actor);
    } else {
      this.#update(live, { status: to });
      await this.#store.save(live.rollout);
      await this.#store.record([this.#step(live.rollout, actor, to === 'paused' ? 'paused' : 'resumed', '', 'ok', '')]);
    }
    return live.rollout;
  }

  async #finish(live: Live, status: RolloutStatus, detail: string, actor = controllerActor): Promise<void> {
    const now = new Date().toISOString();
    this.#update(live, { status, finished_at: now });
    await this.#store.save(live.rollout);
    await this.#store.record([
      this.#step(live.rollout, actor, status === 'stopped' ? 'auto_stopped' : status, '', status, detail),
    ]);
    this.#log.info({ rollout: live.rollout.rollout_id, status, detail }, 'rollout finished');
  }

  #update(live: Live, change: Partial<Rollout>): void {
    live.rollout = { ...live.rollout, ...change, updated_at: new Date().toISOString() };
  }

  #step(rollout: Rollout, actor: string, step: string, storeId: string, outcome: string, detail: string): RolloutStep {
    // Strictly increasing, so a rollout's history reads in the order it happened (ORDER BY at).
    this.#lastStepMs = Math.max(Date.now(), this.#lastStepMs + 1);
    return {
      rollout_id: rollout.rollout_id,
      at: new Date(this.#lastStepMs).toISOString(),
      actor,
      step,
      wave: rollout.current_wave + 1,
      store_id: storeId,
      outcome,
      detail,
    };
  }

  /** The stores a target names, fixed at creation so a hub restart or a new store never reshuffles the waves. */
  async #resolveTarget(target: Rollout['target']): Promise<{ stores: string[]; note: string }> {
    if ('stores' in target) return { stores: [...target.stores], note: '' };
    const known = await this.#store.knownStores();
    if ('all' in target) {
      if (known.length === 0) {
        throw new HubError(hubErrorCodes.rollout, 'the rollout targets no store (no store has sent a heartbeat)');
      }
      return { stores: known, note: '' };
    }
    const cohort = describeCohort(target.cohort);
    const members = (await this.#store.storeRegistry()).filter((store: RegistryStore) =>
      inCohort(store, target.cohort),
    );
    const reporting = new Set(known);
    const stores = members.map((store) => store.store_id).filter((storeId) => reporting.has(storeId));
    if (stores.length === 0) {
      throw new HubError(
        hubErrorCodes.rollout,
        `the cohort ${cohort} holds ${members.length} store(s) of the fleet registry and none has sent a heartbeat`,
      );
    }
    const silent = members.length - stores.length;
    return {
      stores,
      note: ` (cohort ${cohort}${silent > 0 ? `; ${silent} registry store(s) without a heartbeat left out` : ''})`,
    };
  }

  async #track(rollout: Rollout): Promise<Live> {
    // target_stores is empty only for an "all" rollout recorded before targets were fixed at creation.
    const stores = rollout.target_stores.length > 0 ? [...rollout.target_stores] : await this.#store.knownStores();
    const live: Live = {
      rollout,
      stores,
      assigned: new Set(),
      outcomes: new Map(),
      alertRates: new Map(),
      healthySince: null,
      allActiveAt: null,
    };
    this.#live.set(rollout.rollout_id, live);
    return live;
  }

  async #trackFinished(id: string): Promise<Live> {
    const rollout = (await this.#store.all()).find((candidate) => candidate.rollout_id === id);
    if (rollout === undefined) throw new HubError(hubErrorCodes.rolloutNotFound, `no rollout ${id}`);
    const live = await this.#track(rollout);
    for (const step of await this.#store.steps(id)) if (step.step === 'assigned') live.assigned.add(step.store_id);
    return live;
  }

  async #keyIdFromChannels(name: string, version: string): Promise<string> {
    for (const channel of ['canary', 'stable'] as ModelChannel[]) {
      const pointer = await this.#registry.readChannel(name, channel);
      if (pointer?.version === version) return pointer.key_id;
    }
    throw new HubError(
      hubErrorCodes.rollout,
      `${name}@${version} is on no channel; name its signing key id (key_id) in the rollout request`,
    );
  }
}
