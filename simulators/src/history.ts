import type { PosEvent } from '@tillgate/shared';
import { type CatalogItem, generateCatalog } from './catalog.ts';
import type { DailyTruth, StockoutTruth } from './ground-truth.ts';
import { type Scenario, storeIdOf } from './scenario.ts';
import { StoreSimulator } from './store-simulator.ts';

export interface History {
  catalog: CatalogItem[];
  /** Every event of every store, ordered by store then time (each store's own order is exact). */
  events: PosEvent[];
  stockouts: StockoutTruth[];
  daily: DailyTruth[];
}

/** Runs every store of the scenario for `dayCount` UTC days from `startMs` (a UTC midnight). */
export function runHistory(scenario: Scenario, startMs: number, dayCount: number): History {
  const catalog = generateCatalog(scenario.seed, scenario.skus);
  const history: History = { catalog, events: [], stockouts: [], daily: [] };
  for (let store = 0; store < scenario.stores; store++) {
    const simulator = new StoreSimulator(scenario, catalog, storeIdOf(store), startMs);
    // Intervals are reported at start and again at end; the end record supersedes the start one.
    const intervals = new Map<string, StockoutTruth>();
    for (let day = 0; day < dayCount; day++) {
      for (const item of simulator.nextDay()) {
        if (item.kind === 'event') history.events.push(item.event);
        else if (item.kind === 'daily') history.daily.push(item.row);
        else if (item.kind !== 'close') intervals.set(`${item.stockout.sku}@${item.stockout.start}`, item.stockout);
      }
    }
    history.stockouts.push(...intervals.values());
  }
  return history;
}
