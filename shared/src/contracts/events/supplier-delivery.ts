import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { identifier, sku } from '../primitives.ts';

export const deliveryLine = z.strictObject({
  sku,
  quantity: z
    .number({ error: 'quantity must be a number' })
    .int('quantity must be a whole number')
    .positive('quantity must be greater than 0')
    .max(1_000_000, 'quantity above 1,000,000 is not plausible'),
});

export const supplierDeliveryEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('supplier_delivery'),
  delivery_id: identifier('delivery_id'),
  supplier_id: identifier('supplier_id'),
  lines: z.array(deliveryLine).min(1, 'a delivery needs at least one line').max(5_000),
});
