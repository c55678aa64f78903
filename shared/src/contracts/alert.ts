import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope.ts';
import { identifier, sku, stockQuantity, timestamp } from './primitives.ts';

/**
 * A stock-out risk alert raised (or cleared) by an edge agent. Published retained per SKU in the
 * store, and forwarded to the hub's restock-alerts topic.
 */
export const alert = z.strictObject({
  schema: z.literal(SCHEMA_VERSION),
  alert_id: identifier('alert_id'),
  store_id: identifier('store_id'),
  sku,
  state: z.enum(['raised', 'cleared']),
  risk: z.number().min(0).max(1),
  threshold: z.number().min(0).max(1),
  on_hand: stockQuantity.or(z.number().int().negative()),
  model_name: z.string().max(64),
  model_version: z.string().max(64),
  trigger_event_id: identifier('trigger_event_id'),
  at: timestamp,
});
export type Alert = z.infer<typeof alert>;
