import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { sku } from '../primitives.ts';

export const adjustmentReason = z.enum(['damage', 'theft', 'shrink', 'expiry', 'correction']);

export const inventoryAdjustmentEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('inventory_adjustment'),
  sku,
  quantity_delta: z
    .number({ error: 'quantity_delta must be a number' })
    .int('quantity_delta must be a whole number')
    .min(-100_000, 'quantity_delta below -100000 is not plausible')
    .max(100_000, 'quantity_delta above 100000 is not plausible')
    .refine((delta) => delta !== 0, 'quantity_delta must not be 0'),
  reason: adjustmentReason,
});
