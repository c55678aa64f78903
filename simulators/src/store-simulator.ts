import type { PosEvent } from '@tillgate/shared';
import { DAY_MS, hourMs, planDay, startOfUtcDay } from './calendar.ts';
import { type CatalogItem, shelfPrice } from './catalog.ts';
import { EventFactory } from './event-factory.ts';
import { type DailyTruth, injectedCauses, type StockoutCause, type StockoutTruth } from './ground-truth.ts';
import { Rng, WeightedPicker } from './random.ts';
import type { Scenario } from './scenario.ts';

/** Something that happened at `at` (epoch ms): an event a terminal sends, or a ground-truth record. */
export type SimItem =
  | { kind: 'event'; at: number; event: PosEvent }
  | { kind: 'stockout-start'; at: number; stockout: StockoutTruth }
  | { kind: 'stockout-end'; at: number; stockout: StockoutTruth }
  | { kind: 'daily'; at: number; row: DailyTruth }
  /** The business day closes (last ms of the UTC day): each terminal sends its Z-report. */
  | { kind: 'close'; at: number };

interface SkuState {
  item: CatalogItem;
  /** Expected units per average day in this store; the store plans its stock levels on it. */
  dailyUnits: number;
  weight: number;
  reorderPoint: number;
  orderUpTo: number;
  shelf: number;
  system: number;
  onOrder: number;
  price: number;
  promoUntil: number;
  lastSaleAt: number;
  lastCountAt: number;
  /** Set when an order for this SKU silently never arrived; cleared by the next delivery. */
  missedDelivery: boolean;
  phantom: boolean;
  open: StockoutTruth | null;
  today: { demand: number; sold: number; lost: number };
}

interface Order {
  sku: string;
  quantity: number;
  supplierId: string;
  dueDay: number;
  missed: boolean;
}

interface PendingReturn {
  at: number;
  terminalId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  originalEventId: string;
}

interface Action {
  at: number;
  order: number;
  run: () => void;
}

const MEAN_LINES = 2.6;
const MEAN_QUANTITY = 1.35;
const PROMO_DAYS = 7;
const CONVERSION = 0.45;
const BACK_OFFICE = 'bo-01';
const DOOR_COUNTER = 'door-01';
/** Stock a manager expects to sell in this time and hasn't: the zero-sales report asks for a count. */
const ZERO_SALES_AUDIT_UNITS = 4;

/**
 * One store, simulated day by day from `startMs`. Demand (weekly/daily seasonality, holidays, promo
 * elasticity, noise) draws baskets; baskets deplete the shelf; a nightly (s, S) review on the SYSTEM
 * stock orders whole cases that arrive after the supplier's lead time; counts, shrink, returns and the
 * injected faults move shelf and system stock apart the way they drift in a real store.
 */
export class StoreSimulator {
  readonly storeId: string;
  readonly #scenario: Scenario;
  readonly #factory: EventFactory;
  readonly #skus: SkuState[];
  readonly #bySku = new Map<string, SkuState>();
  readonly #terminals: string[];
  readonly #size: number;
  #orders: Order[] = [];
  #returns: PendingReturn[] = [];
  #items: SimItem[] = [];
  #dayStart: number;
  #startMs: number;
  #openingCountDone = false;

  constructor(scenario: Scenario, catalog: readonly CatalogItem[], storeId: string, startMs: number) {
    this.storeId = storeId;
    this.#scenario = scenario;
    this.#startMs = startMs;
    this.#dayStart = startOfUtcDay(startMs);
    this.#factory = new EventFactory(scenario.seed, startMs, storeId);
    this.#terminals = Array.from({ length: scenario.terminals }, (_, i) => `pos-${String(i + 1).padStart(2, '0')}`);
    const rng = Rng.derive(scenario.seed, storeId, 'store');
    this.#size = rng.lognormal(0.2);
    const weights = catalog.map((item) => item.popularity * rng.lognormal(0.3));
    const totalWeight = weights.reduce((sum, w) => sum + w, 0);
    const unitsPerDay = scenario.basketsPerDay * this.#size * MEAN_LINES * MEAN_QUANTITY;
    this.#skus = catalog.map((item, i) => {
      const weight = weights[i] ?? 0;
      const dailyUnits = (unitsPerDay * weight) / totalWeight;
      const cover = dailyUnits * (item.leadTimeDays + 1);
      // 95 % cycle service level on Poisson demand over lead time + review period.
      const reorderPoint = Math.ceil(cover + 1.65 * Math.sqrt(cover));
      const orderUpTo = reorderPoint + Math.max(item.packSize, Math.ceil(dailyUnits * 2));
      const opening = Math.round(orderUpTo * rng.uniform(0.6, 1));
      const state: SkuState = {
        item,
        dailyUnits,
        weight,
        reorderPoint,
        orderUpTo,
        shelf: opening,
        system: opening,
        onOrder: 0,
        price: item.price,
        promoUntil: 0,
        lastSaleAt: startMs,
        lastCountAt: startMs,
        missedDelivery: false,
        phantom: false,
        open: null,
        today: { demand: 0, sold: 0, lost: 0 },
      };
      this.#bySku.set(item.sku, state);
      return state;
    });
  }

  /** All POS terminal ids plus the back office and door counter: every id that publishes events. */
  get terminalIds(): string[] {
    return [...this.#terminals, BACK_OFFICE, DOOR_COUNTER];
  }

  /** Start of the next day to simulate (UTC midnight, or `startMs` on the first day). */
  get nextDayStart(): number {
    return this.#dayStart;
  }

  /** Simulates one UTC day and returns what happened in it, in time order. */
  nextDay(): SimItem[] {
    const dayStart = this.#dayStart;
    this.#dayStart += DAY_MS;
    this.#items = [];
    const plan = Rng.derive(this.#scenario.seed, this.storeId, 'plan', dayStart);
    const exec = Rng.derive(this.#scenario.seed, this.storeId, 'exec', dayStart);
    const actions: Action[] = [];
    const at = (time: number, run: () => void) => actions.push({ at: time, order: actions.length, run });
    if (!this.#openingCountDone) {
      // The first day opens with a full stock-take, so an agent that starts with the simulator knows
      // every SKU's stock from the events alone.
      this.#openingCountDone = true;
      at(this.#startMs, () => {
        for (const s of this.#skus) this.#count(s, this.#startMs, 0, exec);
      });
    }
    for (const s of this.#skus) s.today = { demand: 0, sold: 0, lost: 0 };
    const day = planDay(dayStart);
    if (day.open) this.#planOpenDay(dayStart, day, plan, exec, at);
    at(dayStart + DAY_MS - 1, () => this.#closeDay(dayStart));
    actions.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const action of actions) if (action.at >= this.#startMs) action.run();
    return this.#items;
  }

  #planOpenDay(
    dayStart: number,
    day: ReturnType<typeof planDay>,
    plan: Rng,
    exec: Rng,
    at: (time: number, run: () => void) => void,
  ): void {
    this.#planPrices(dayStart, plan, at);
    this.#planDeliveries(dayStart, plan, at);
    const sixAm = dayStart + hourMs(6);
    const lastHour = day.hours[day.hours.length - 1]?.hour ?? 21;
    const closing = dayStart + hourMs(lastHour + 1);

    // Demand: today's weights carry promo lift and per-SKU noise; baskets follow the hour profile.
    const weights = this.#skus.map((s) => {
      const lift = s.promoUntil > sixAm ? (s.price / s.item.price) ** s.item.elasticity : 1;
      return s.weight * lift * plan.lognormal(0.25);
    });
    const picker = new WeightedPicker(this.#skus, weights);
    const baskets = this.#scenario.basketsPerDay * this.#size * day.demandFactor * plan.lognormal(0.08);
    const basketsPer15Min = new Map<number, number>();
    for (const { hour, share } of day.hours) {
      const hourStart = dayStart + hourMs(hour);
      for (let n = plan.poisson(baskets * share); n > 0; n--) {
        const time = hourStart + Math.floor(plan.next() * hourMs(1));
        const terminalId = this.#terminals[
          Math.min(Math.floor(plan.next() ** 1.5 * this.#terminals.length), this.#terminals.length - 1)
        ] as string;
        const wanted = new Map<SkuState, number>();
        for (let k = 1 + plan.poisson(MEAN_LINES - 1); k > 0; k--) {
          const s = picker.pick(plan);
          wanted.set(s, (wanted.get(s) ?? 0) + 1 + plan.poisson(MEAN_QUANTITY - 1));
        }
        const customer = plan.chance(0.3) ? `loyalty-${plan.int(1, 2000)}` : undefined;
        const returns = plan.chance(this.#scenario.returnRate);
        at(time, () => this.#basket(time, terminalId, wanted, customer, returns, exec));
        const slot = Math.floor(time / hourMs(0.25));
        basketsPer15Min.set(slot, (basketsPer15Min.get(slot) ?? 0) + 1);
      }
      for (let n = plan.poisson(3); n > 0; n--) {
        const time = hourStart + Math.floor(plan.next() * hourMs(1));
        const s = picker.pick(plan);
        const purpose = plan.pick(['price_check', 'price_check', 'lookup', 'shelf_audit'] as const);
        const terminalId = plan.pick(this.#terminals);
        at(time, () =>
          this.#emit(time, this.#factory.make('product_scan', terminalId, time, { sku: s.item.sku, purpose })),
        );
      }
      for (let quarter = 1; quarter <= 4; quarter++) {
        const end = hourStart + hourMs(quarter / 4);
        const slot = Math.floor((end - 1) / hourMs(0.25));
        const visitors = plan.poisson((basketsPer15Min.get(slot) ?? 0) / CONVERSION + 1);
        at(end, () =>
          this.#emit(end, this.#factory.make('foot_traffic', DOOR_COUNTER, end, { period_seconds: 900, visitors })),
        );
      }
    }

    for (const r of this.#returns.filter((r) => r.at >= dayStart && r.at < dayStart + DAY_MS)) {
      at(r.at, () => this.#return(r, exec));
    }
    this.#returns = this.#returns.filter((r) => r.at >= dayStart + DAY_MS);

    const openSpan = closing - (dayStart + hourMs(day.hours[0]?.hour ?? 7));
    const randomOpenTime = () => closing - Math.floor(plan.next() * openSpan);
    for (const s of this.#skus) {
      if (plan.chance(this.#scenario.recordedShrinkRate)) {
        const time = randomOpenTime();
        const quantity = plan.int(1, 3);
        at(time, () => this.#recordedShrink(s, time, quantity));
      }
      if (plan.chance(this.#scenario.unrecordedShrinkRate)) {
        const time = randomOpenTime();
        const quantity = plan.int(1, 2);
        at(time, () => {
          s.shelf -= Math.min(s.shelf, quantity);
          this.#checkShelf(s, time);
        });
      }
    }
    for (let n = plan.poisson(this.#scenario.phantomPerDay); n > 0; n--) {
      const time = randomOpenTime();
      at(time, () => this.#phantom(time, exec));
    }
    const countTime = closing + hourMs(0.5);
    at(countTime, () => this.#nightCounts(countTime, exec));
    at(countTime + hourMs(0.5), () => this.#review(dayStart));
  }

  #planPrices(dayStart: number, plan: Rng, at: (time: number, run: () => void) => void): void {
    const time = dayStart + hourMs(6);
    for (const s of this.#skus) {
      let price: number | null = null;
      let promo = false;
      if (s.promoUntil > 0 && s.promoUntil <= time) {
        s.promoUntil = 0;
        price = s.item.price;
      } else if (s.promoUntil === 0 && plan.chance(this.#scenario.promoStartRate)) {
        s.promoUntil = time + PROMO_DAYS * DAY_MS;
        price = shelfPrice(s.item.price * (1 - plan.uniform(0.1, 0.3)));
        promo = true;
      }
      if (price === null) continue;
      // Set now, not when the event fires: on a live run's first day the 06:00 event may fall before
      // the start, and the sale lines must still carry the price the shelf shows.
      s.price = price;
      const newPrice = price;
      at(time, () => {
        this.#emit(
          time,
          this.#factory.make('price_change', BACK_OFFICE, time, {
            sku: s.item.sku,
            currency: this.#scenario.currency,
            new_price: newPrice,
            promo,
            effective_from: new Date(time).toISOString(),
          }),
        );
      });
    }
  }

  #planDeliveries(dayStart: number, plan: Rng, at: (time: number, run: () => void) => void): void {
    const due = this.#orders.filter((o) => o.dueDay <= dayStart);
    this.#orders = this.#orders.filter((o) => o.dueDay > dayStart);
    const bySupplier = new Map<string, Order[]>();
    for (const order of due) {
      const s = this.#bySku.get(order.sku) as SkuState;
      if (order.missed) {
        // The supplier never ships; the store's open-order list forgets it on the due date.
        s.onOrder -= order.quantity;
        s.missedDelivery = true;
        continue;
      }
      bySupplier.set(order.supplierId, [...(bySupplier.get(order.supplierId) ?? []), order]);
    }
    let offset = 0;
    for (const [supplierId, orders] of bySupplier) {
      const time = dayStart + hourMs(6) + offset + plan.int(0, 5 * 60_000);
      offset += 10 * 60_000;
      at(time, () => {
        for (const order of orders) {
          const s = this.#bySku.get(order.sku) as SkuState;
          s.shelf += order.quantity;
          s.system += order.quantity;
          s.onOrder -= order.quantity;
          s.missedDelivery = false;
          this.#checkShelf(s, time);
        }
        const dayTag = new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '');
        this.#emit(
          time,
          this.#factory.make('supplier_delivery', BACK_OFFICE, time, {
            delivery_id: `${this.storeId}-${supplierId}-${dayTag}`,
            supplier_id: supplierId,
            lines: orders.map((o) => ({ sku: o.sku, quantity: o.quantity })),
          }),
        );
      });
    }
  }

  #basket(
    time: number,
    terminalId: string,
    wanted: Map<SkuState, number>,
    customer: string | undefined,
    returns: boolean,
    exec: Rng,
  ): void {
    const lines: { sku: string; quantity: number; unit_price: number; promo: boolean }[] = [];
    for (const [s, quantity] of wanted) {
      s.today.demand += quantity;
      const sold = Math.min(quantity, Math.max(0, s.shelf));
      if (sold > 0) {
        s.shelf -= sold;
        s.system -= sold;
        s.lastSaleAt = time;
        s.today.sold += sold;
        lines.push({ sku: s.item.sku, quantity: sold, unit_price: s.price, promo: s.promoUntil > time });
        this.#checkShelf(s, time);
      }
      const lost = quantity - sold;
      if (lost > 0) {
        s.today.lost += lost;
        if (s.open !== null) s.open.lost_units += lost;
      }
    }
    if (lines.length === 0) return;
    const event = this.#factory.make('sale', terminalId, time, {
      currency: this.#scenario.currency,
      lines,
      ...(customer === undefined ? {} : { customer_ref: customer }),
    });
    this.#emit(time, event);
    const line = returns ? exec.pick(lines) : undefined;
    if (line !== undefined) {
      this.#returns.push({
        at: time + exec.int(1, 3) * DAY_MS + exec.int(-30, 30) * 60_000,
        terminalId,
        sku: line.sku,
        quantity: 1,
        unitPrice: line.unit_price,
        originalEventId: event.event_id,
      });
    }
  }

  #return(r: PendingReturn, exec: Rng): void {
    const s = this.#bySku.get(r.sku) as SkuState;
    const restock = exec.chance(0.7);
    if (restock) {
      s.shelf += r.quantity;
      s.system += r.quantity;
      this.#checkShelf(s, r.at);
    }
    this.#emit(
      r.at,
      this.#factory.make('return', r.terminalId, r.at, {
        currency: this.#scenario.currency,
        lines: [
          {
            sku: r.sku,
            quantity: r.quantity,
            unit_price: r.unitPrice,
            reason: restock ? 'unwanted' : 'defective',
            restock,
          },
        ],
        original_event_id: r.originalEventId,
      }),
    );
  }

  #recordedShrink(s: SkuState, time: number, quantity: number): void {
    const removed = Math.min(Math.max(0, s.shelf), quantity);
    if (removed === 0) return;
    s.shelf -= removed;
    s.system -= removed;
    const perishable = ['dairy', 'bakery', 'produce'].includes(s.item.category);
    this.#emit(
      time,
      this.#factory.make('inventory_adjustment', BACK_OFFICE, time, {
        sku: s.item.sku,
        quantity_delta: -removed,
        reason: perishable ? 'expiry' : 'damage',
      }),
    );
    this.#checkShelf(s, time);
  }

  /** INJECTED: the shelf is emptied without any event (stock misplaced or stolen); the system still counts it. */
  #phantom(time: number, exec: Rng): void {
    const candidates = this.#skus.filter((s) => s.shelf >= 3 && s.open === null && s.dailyUnits >= 1);
    if (candidates.length === 0) return;
    const s = new WeightedPicker(
      candidates,
      candidates.map((c) => c.dailyUnits),
    ).pick(exec);
    s.phantom = true;
    s.shelf = 0;
    this.#checkShelf(s, time);
  }

  #nightCounts(time: number, exec: Rng): void {
    let offset = 0;
    for (const s of this.#skus) {
      const auditAfter = Math.max(2, ZERO_SALES_AUDIT_UNITS / Math.max(s.dailyUnits, 0.01)) * DAY_MS;
      const zeroSales = s.system > 0 && time - s.lastSaleAt > auditAfter && time - s.lastCountAt > 2 * DAY_MS;
      if (zeroSales || exec.chance(this.#scenario.cycleCountShare)) {
        this.#count(s, time + offset, this.#scenario.countErrorRate, exec);
        offset += 1000;
      }
    }
  }

  #count(s: SkuState, time: number, errorRate: number, exec: Rng): void {
    const error = exec.chance(errorRate) ? exec.pick([-2, -1, 1, 2]) : 0;
    const counted = Math.max(0, s.shelf + error);
    s.system = counted;
    s.lastCountAt = time;
    this.#emit(
      time,
      this.#factory.make('shelf_count', BACK_OFFICE, time, { sku: s.item.sku, counted_quantity: counted }),
    );
  }

  /** Nightly (s, S) review on system stock: what the store believes, not what the shelf holds. */
  #review(dayStart: number): void {
    for (const s of this.#skus) {
      const position = s.system + s.onOrder;
      if (position > s.reorderPoint) continue;
      const cases = Math.ceil((s.orderUpTo - position) / s.item.packSize);
      const quantity = cases * s.item.packSize;
      s.onOrder += quantity;
      this.#orders.push({
        sku: s.item.sku,
        quantity,
        supplierId: s.item.supplierId,
        dueDay: dayStart + s.item.leadTimeDays * DAY_MS,
        missed: Rng.derive(this.#scenario.seed, this.storeId, 'order', dayStart, s.item.sku).chance(
          this.#scenario.missedDeliveryRate,
        ),
      });
    }
  }

  #closeDay(dayStart: number): void {
    const day = new Date(dayStart).toISOString().slice(0, 10);
    const time = dayStart + DAY_MS - 1;
    this.#items.push({ kind: 'close', at: time });
    for (const s of this.#skus) {
      this.#items.push({
        kind: 'daily',
        at: time,
        row: {
          store_id: this.storeId,
          sku: s.item.sku,
          day,
          demand_units: s.today.demand,
          sold_units: s.today.sold,
          lost_units: s.today.lost,
          shelf_on_hand: s.shelf,
          system_on_hand: s.system,
          on_order: s.onOrder,
          price: s.price,
          promo: s.promoUntil > time,
        },
      });
    }
  }

  #checkShelf(s: SkuState, time: number): void {
    if (s.shelf <= 0 && s.open === null) {
      const cause = this.#causeOf(s, time);
      s.open = {
        store_id: this.storeId,
        sku: s.item.sku,
        start: new Date(time).toISOString(),
        end: null,
        cause,
        injected: injectedCauses.has(cause),
        lost_units: 0,
      };
      this.#items.push({ kind: 'stockout-start', at: time, stockout: { ...s.open } });
    } else if (s.shelf > 0 && s.open !== null) {
      s.open.end = new Date(time).toISOString();
      this.#items.push({ kind: 'stockout-end', at: time, stockout: { ...s.open } });
      s.open = null;
      s.phantom = false;
    }
  }

  #causeOf(s: SkuState, time: number): StockoutCause {
    if (s.phantom) return 'phantom_inventory';
    if (s.missedDelivery) return 'missed_replenishment';
    if (s.system > 0) return 'unrecorded_shrink';
    if (s.promoUntil > time) return 'promotion_uplift';
    return 'demand_variability';
  }

  #emit(at: number, event: PosEvent): void {
    this.#items.push({ kind: 'event', at, event });
  }
}
