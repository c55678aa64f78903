import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { currency, money, sku, timestamp } from '../primitives.ts';

export const priceChangeEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('price_change'),
  sku,
  currency,
  new_price: money,
  promo: z.boolean({ error: 'promo must be true or false' }),
  effective_from: timestamp,
});
