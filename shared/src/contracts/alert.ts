import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope.ts';
import { identifier, sku, stockQuantity, timestamp } from './primitives.ts';

/**
 * What an alert asks a store assistant to do: `hidden_empty` - the books say there is stock but the
 * silence says the shelf is empty (phantom inventory, theft, misplaced stock): go and look;
 * `will_run_out` - the stock visibly runs down (or the books already show none): refill or reorder.
 */
export const alertKinds = ['hidden_empty', 'will_run_out'] as const;
export type AlertKind = (typeof alertKinds)[number];

/**
 * A stock-out risk alert raised (or cleared) by an edge agent. Published retained per SKU in the
 * store, and forwarded to the hub's restock-alerts topic. `kind` and `why` say what to look for, in
 * words a store assistant acts on (issue 16: alerts for SKUs with 250 on hand and nothing to say why).
 */
export const alert = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  alert_id: identifier('alert_id'),
  store_id: identifier('store_id'),
  sku,
  state: z.enum(['raised', 'cleared']),
  kind: z.enum(alertKinds),
  /** The evidence, e.g. "no sale for 9 h; it sells about 14 a day" or "3 on hand covers 0.4 days". */
  why: z.string().min(1).max(240),
  risk: z.number().min(0).max(1),
  threshold: z.number().min(0).max(1),
  on_hand: stockQuantity.or(z.number().int().negative()),
  model_name: z.string().max(64),
  model_version: z.string().max(64),
  trigger_event_id: identifier('trigger_event_id'),
  at: timestamp,
});
export type Alert = z.infer<typeof alert>;
