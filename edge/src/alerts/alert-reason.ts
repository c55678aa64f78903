import type { AlertKind, SkuFeatureState } from '@tillgate/shared';
import { stockoutFeatureNames } from '@tillgate/shared';

// What an alert tells the person who walks to the shelf (issue 16 item 5): which of the two jobs it
// is doing and the evidence, from the same feature row the model scored.

/** Units of unsold demand a silence must stand for before it, not the run-down, explains the risk. */
const silenceUnits = 2;
/**
 * ...and after a refill, where the model's risk still carries the silence before it: e^-4.6 = 1 %, the
 * expected-gap rule's level (simulators/src/alert-quality/rule-alerts.ts), so the silence since the
 * refill is evidence on its own.
 */
const refilledSilenceUnits = -Math.log(0.01);
/** Days of cover under which the run-down alone explains a risk: the model's 48 h label horizon. */
const coverDays = 2;

const column = (name: string): number => {
  const index = stockoutFeatureNames.indexOf(name);
  if (index < 0) throw new Error(`alert-reason: the feature spec has no ${name}`);
  return index;
};
const at = {
  hoursSinceSale: column('hours_since_last_sale'),
  hoursSinceDelivery: column('hours_since_delivery'),
  units7d: column('units_7d'),
  units28d: column('units_28d'),
  daysOfCover: column('days_of_cover'),
} as const;

export interface AlertReason {
  kind: AlertKind;
  why: string;
}

/**
 * hidden_empty when the books show more than the horizon will sell (`coverDays`) but the SKU has
 * been silent for longer than `silenceUnits` of its usual demand would allow; will_run_out otherwise
 * (including books at or below zero, and a silent shelf the books say is nearly empty: the run-down
 * explains that as well as a hidden loss, and "will run out" holds for both); null when the risk
 * rests on a silence a delivery has since broken and the stock covers more than `coverDays`: the
 * delivery refilled the shelf, so nothing there is left for a person to check.
 * The silence is counted from the later of the last sale and the last delivery: the hours before a
 * delivery say nothing about the shelf it refilled (in the alert-quality harness every such alert
 * was wrong: 10 of 10 on two scenarios, 2026-12-02), and after a delivery it must reach
 * `refilledSilenceUnits` (3 of the 12 wrong alerts left after that rested on 2.7-3.2 units).
 */
export function alertReason(state: SkuFeatureState, features: Float32Array): AlertReason | null {
  const onHand = Math.round(state.onHand);
  const perDay = Math.max(features[at.units28d] ?? 0, features[at.units7d] ?? 0);
  const sinceSale = features[at.hoursSinceSale] ?? 0;
  const delivery = features[at.hoursSinceDelivery] ?? 0;
  const restocked = state.lastDeliveryAt !== null && (state.lastSaleAt === null || delivery < sinceSale);
  const silentHours = restocked ? delivery : sinceSale;
  if (onHand <= 0) {
    return {
      kind: 'will_run_out',
      why: `the books show ${onHand} on hand: the shelf is probably empty; refill it or order more`,
    };
  }
  const cover = features[at.daysOfCover] ?? 0;
  const silence = `no sale for ${hours(silentHours)} where it sells about ${amount(perDay)} a day`;
  const silent =
    state.lastSaleAt !== null && (perDay * silentHours) / 24 >= (restocked ? refilledSilenceUnits : silenceUnits);
  if (silent && cover > coverDays) {
    return { kind: 'hidden_empty', why: `${silence}, yet the books show ${onHand}: check the shelf` };
  }
  if (silent) {
    return {
      kind: 'will_run_out',
      why: `${silence}, and the ${onHand} on hand covers ${amount(cover)} days: check the shelf and refill it`,
    };
  }
  if (restocked && cover > coverDays) return null;
  return {
    kind: 'will_run_out',
    why: `${onHand} on hand covers ${amount(cover)} days at about ${amount(features[at.units7d] ?? 0)} a day${state.lastDeliveryAt === null ? '' : `; last delivery ${hours(delivery)} ago`}`,
  };
}

function hours(h: number): string {
  return h >= 48 ? `${Math.round(h / 24)} days` : `${h >= 10 ? Math.round(h) : h.toFixed(1)} h`;
}

function amount(x: number): string {
  return x >= 10 ? String(Math.round(x)) : x.toFixed(1);
}
