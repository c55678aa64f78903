import type { PosEvent } from '@tillgate/shared';

const dayMs = 86_400_000;
/** Days of sale lines the SKU's share is taken over (the feature spec's longest window). */
const windowDays = 28;

/**
 * How surprising an SKU's silence is, measured in the store's own traffic: since its last sale the
 * store sold N lines; the SKU is normally a share s of the store's lines; so P(no sale of it) =
 * exp(-s N). Counting time in store sale lines instead of hours carries weekday, hour of day and
 * closures for free: a closed store sells nothing, so a holiday is no silence at all, and a quiet
 * Sunday morning weighs what it sells.
 */
export class SilenceOdds {
  #storeLines = 0;
  readonly #storeDaily = new Map<number, number>();
  readonly #skuDaily = new Map<string, Map<number, number>>();
  readonly #linesAtLastSale = new Map<string, number>();
  #today = 0;

  observe(event: PosEvent): void {
    if (event.type !== 'sale') return;
    const day = Math.floor(Date.parse(event.occurred_at) / dayMs);
    this.#today = Math.max(this.#today, day);
    for (const line of event.lines) {
      this.#storeLines += 1;
      this.#storeDaily.set(day, (this.#storeDaily.get(day) ?? 0) + 1);
      const daily = this.#skuDaily.get(line.sku) ?? new Map<number, number>();
      daily.set(day, (daily.get(day) ?? 0) + 1);
      this.#skuDaily.set(line.sku, daily);
      this.#linesAtLastSale.set(line.sku, this.#storeLines);
    }
  }

  /** P(the SKU's current silence | its share of the store's lines over 28 days), or null if it never sold. */
  probability(sku: string): number | null {
    const since = this.#linesAtLastSale.get(sku);
    const daily = this.#skuDaily.get(sku);
    if (since === undefined || daily === undefined) return null;
    const share = this.#sumWindow(daily) / Math.max(1, this.#sumWindow(this.#storeDaily));
    return Math.exp(-share * (this.#storeLines - since));
  }

  #sumWindow(daily: Map<number, number>): number {
    let sum = 0;
    for (const [day, lines] of daily) {
      if (day > this.#today - windowDays) sum += lines;
      else daily.delete(day);
    }
    return sum;
  }
}
