import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { currency, identifier, lineQuantity, money, sku } from '../primitives.ts';

export const saleLine = z.strictObject({
  sku,
  quantity: lineQuantity,
  unit_price: money,
  promo: z.boolean({ error: 'promo must be true or false' }).default(false),
});

/** One basket rung up at a terminal. Lines keep basket size and cross-sell analytics possible. */
export const saleEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('sale'),
  currency,
  lines: z.array(saleLine).min(1, 'a sale needs at least one line').max(500, 'a sale may have at most 500 lines'),
  customer_ref: identifier('customer_ref').optional(),
});
