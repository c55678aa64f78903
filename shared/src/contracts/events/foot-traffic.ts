import { z } from 'zod';
import { posEnvelope } from '../envelope.ts';

/** Door-counter totals for a period; basket size comes from sales, not from here. */
export const footTrafficEvent = z.strictObject({
  ...posEnvelope,
  type: z.literal('foot_traffic'),
  period_seconds: z
    .number({ error: 'period_seconds must be a number' })
    .int('period_seconds must be a whole number')
    .min(60, 'period_seconds must be at least 60')
    .max(86_400, 'period_seconds must be at most 86400'),
  visitors: z
    .number({ error: 'visitors must be a number' })
    .int('visitors must be a whole number')
    .nonnegative('visitors must not be negative')
    .max(100_000, 'visitors above 100000 in one period is not plausible'),
});
