import { emptyFeatureState, emptyStoreFeatureState, type SkuFeatureState, stockoutFeatures } from '@tillgate/shared';
import { describe, expect, it } from 'vitest';
import { alertReason } from './alert-reason.ts';

// What an alert claims, from the state and feature row the model scored. Cases from the alert-quality
// harness's wrong alerts (npm run bench -- alert-quality, release 2.202612020149, 2026-12-02).
const hour = 3_600_000;
const at = new Date('2026-08-26T15:00:00Z');
const ago = (hours: number) => new Date(at.getTime() - hours * hour).toISOString();
/** A SKU that sold `perDay` units on each of the 7 days up to today (units_7d = perDay). */
const selling = (perDay: number, state: Partial<SkuFeatureState>): SkuFeatureState => {
  const dailyUnits: Record<string, number> = {};
  for (let d = 0; d < 7; d++) dailyUnits[new Date(at.getTime() - d * 24 * hour).toISOString().slice(0, 10)] = perDay;
  return { ...emptyFeatureState(), dailyUnits, ...state };
};
const reason = (state: SkuFeatureState) => alertReason(state, stockoutFeatures(state, emptyStoreFeatureState(), at));

describe('alertReason', () => {
  it('calls a silent shelf "hidden empty" only when the books show more than the horizon will sell', () => {
    // Four of the twelve wrong alerts: "no sale for 20 h ... the books show 1: check the shelf" on
    // shelves holding 1-5 units that emptied 0.4-3 h later. With the books covering less than the
    // 48 h horizon the run-down explains an empty shelf as well as a hidden loss does: "will run out"
    // is the claim the evidence supports (and it is true whichever of the two happened).
    const low = reason(selling(5, { onHand: 1, lastSaleAt: ago(20) }));
    expect(low?.kind).toBe('will_run_out');
    expect(low?.why).toBe(
      'no sale for 20 h where it sells about 5.0 a day, and the 1 on hand covers 0.2 days: check the shelf and refill it',
    );
    const high = reason(selling(5, { onHand: 40, lastSaleAt: ago(20) }));
    expect(high).toEqual({
      kind: 'hidden_empty',
      why: 'no sale for 20 h where it sells about 5.0 a day, yet the books show 40: check the shelf',
    });
  });

  it('after a delivery, takes a silence as evidence only when it is as unlikely as the gap rule allows', () => {
    // Three wrong alerts: "no sale for 6.5 h where it sells about 10 a day" hours after a delivery had
    // refilled the shelf. The model's risk still carries the silence before the delivery
    // (hours_since_last_sale spans it), so the silence since must stand alone: P(no sale) = e^-2.7 = 7 %.
    const refilled = selling(10, { onHand: 94, lastSaleAt: ago(60), lastDeliveryAt: ago(6.5) });
    expect(reason(refilled)).toBeNull();
    // 12 h at 10 a day: 5 units expected, P(no sale) = e^-5 < 1 %.
    const stillSilent = selling(10, { onHand: 94, lastSaleAt: ago(60), lastDeliveryAt: ago(12) });
    expect(reason(stillSilent)?.kind).toBe('hidden_empty');
  });
});
