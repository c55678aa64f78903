import {
  applyEventToFeatureState,
  applyEventToStoreState,
  emptyFeatureState,
  emptyStoreFeatureState,
  type PosEvent,
  type SkuFeatureState,
  type StoreEvent,
} from '@tillgate/shared';
import type { ReceivedAlert } from './alert-quality.ts';
import { SilenceOdds } from './silence-odds.ts';

// The simple rules the edge's alerts are judged against (MISSION.md "Alert quality is judged ... against
// the simple rules"), run on the same events as the edge, in the same order, on event time.

export interface RuleSettings {
  /** days-of-cover rule: alert when on hand / (units a day over the last 7 days) falls below this. */
  coverDays: number;
  /** expected-gap rule: alert when P(this long a silence | the SKU's share of the store's sales) falls below this. */
  gapProbability: number;
  /** How often (event time, ms) the gap rule looks at silent SKUs. */
  sweepEveryMs: number;
}

export const defaultRuleSettings: RuleSettings = { coverDays: 1, gapProbability: 0.01, sweepEveryMs: 3_600_000 };

export interface RuleAlerts {
  book_stock: ReceivedAlert[];
  days_of_cover: ReceivedAlert[];
  gap_rule: ReceivedAlert[];
}

/** One store's events in event order (the simulator's order) through the three rules. */
export function ruleAlerts(storeId: string, events: readonly PosEvent[], settings: RuleSettings): RuleAlerts {
  const out: RuleAlerts = { book_stock: [], days_of_cover: [], gap_rule: [] };
  const states = new Map<string, SkuFeatureState>();
  const coverArmed = new Map<string, boolean>();
  const gapArmed = new Map<string, boolean>();
  const silence = new SilenceOdds();
  let store = emptyStoreFeatureState();
  let nextSweep: number | null = null;
  for (const event of events) {
    const at = Date.parse(event.occurred_at);
    nextSweep ??= Math.ceil(at / settings.sweepEveryMs) * settings.sweepEveryMs;
    while (at >= nextSweep) {
      for (const [sku, state] of states) {
        const p = silence.probability(sku);
        if (state.onHand > 0 && p !== null && p < settings.gapProbability && gapArmed.get(sku) !== false) {
          out.gap_rule.push({ storeId, sku, at: nextSweep, kind: 'hidden_empty' });
          gapArmed.set(sku, false);
        }
      }
      nextSweep += settings.sweepEveryMs;
    }
    silence.observe(event);
    const stored = { ...event, received_at: event.occurred_at } as StoreEvent;
    store = applyEventToStoreState(store, stored);
    for (const sku of skusMoved(event)) {
      const before = states.get(sku) ?? emptyFeatureState();
      const after = applyEventToFeatureState(before, stored, sku, store);
      states.set(sku, after);
      gapArmed.set(sku, true);
      if (before.onHand > 0 && after.onHand <= 0) out.book_stock.push({ storeId, sku, at, kind: 'will_run_out' });
      const cover = daysOfCover(after, at);
      if (cover < settings.coverDays && coverArmed.get(sku) !== false) {
        out.days_of_cover.push({ storeId, sku, at, kind: 'will_run_out' });
        coverArmed.set(sku, false);
      } else if (cover >= settings.coverDays) coverArmed.set(sku, true);
    }
  }
  return out;
}

function skusMoved(event: PosEvent): string[] {
  switch (event.type) {
    case 'sale':
    case 'return':
    case 'supplier_delivery':
      return [...new Set(event.lines.map((line) => line.sku))];
    case 'shelf_count':
    case 'inventory_adjustment':
      return [event.sku];
    default:
      return [];
  }
}

/** on hand / mean units a day over the 7 UTC days ending today; 0 when nothing is on hand. */
function daysOfCover(state: SkuFeatureState, at: number): number {
  if (state.onHand <= 0) return 0;
  let units = 0;
  for (let offset = 0; offset < 7; offset++) {
    units += state.dailyUnits[new Date(at - offset * 86_400_000).toISOString().slice(0, 10)] ?? 0;
  }
  return units <= 0 ? Number.POSITIVE_INFINITY : state.onHand / (units / 7);
}
