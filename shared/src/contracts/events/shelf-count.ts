import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { sku, stockQuantity } from '../primitives.ts';

/** A physical count: it resets the edge's on-hand for the SKU (counts beat arithmetic). */
export const shelfCountEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('shelf_count'),
  sku,
  counted_quantity: stockQuantity,
});
