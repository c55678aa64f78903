import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { currency, identifier, lineQuantity, money, sku } from '../primitives.ts';

export const returnReason = z.enum(['defective', 'unwanted', 'wrong_item', 'other']);

export const returnLine = z.strictObject({
  sku,
  quantity: lineQuantity,
  unit_price: money,
  reason: returnReason,
  restock: z.boolean({ error: 'restock must be true or false' }),
});

/** A return or refund; restocked items go back on hand, defective ones do not. */
export const returnEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('return'),
  currency,
  lines: z.array(returnLine).min(1, 'a return needs at least one line').max(500),
  original_event_id: identifier('original_event_id').optional(),
});
