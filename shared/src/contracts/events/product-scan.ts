import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';
import { sku } from '../primitives.ts';

/** A scan that is not a sale: price checks and shelf-edge scans show interest and misplaced stock. */
export const productScanEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('product_scan'),
  sku,
  purpose: z.enum(['price_check', 'shelf_audit', 'lookup']),
});
