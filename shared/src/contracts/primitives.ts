import { z } from 'zod';

// Field-level building blocks of the v1 contract. Limits are deliberately generous for real stores
// (MISSION.md "Scale to design for") and tight enough that a typo or a corrupt terminal is caught.

/** Identifiers that end up in MQTT topics, Kafka keys and ClickHouse keys: no separators, no spaces. */
export const identifier = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(64, `${what} must be at most 64 characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, `${what} may contain only letters, digits, _ . : -`);

export const sku = z
  .string({ error: 'sku must be a string' })
  .regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'sku must be 3-32 upper-case letters, digits or -');

/** Units sold / moved in one line. A POS never rings 10,000 of one item in one line. */
export const lineQuantity = z
  .number({ error: 'quantity must be a number' })
  .int('quantity must be a whole number')
  .positive('quantity must be greater than 0')
  .max(9_999, 'quantity above 9999 is not a plausible POS line');

/** Money in major units (e.g. 12.99). Upper bound catches cents-vs-units mistakes. */
export const money = z
  .number({ error: 'price must be a number' })
  .nonnegative('price must not be negative')
  .max(1_000_000, 'price above 1,000,000 is not plausible')
  .refine(Number.isFinite, 'price must be finite');

export const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR');

export const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp with offset' });

export const stockQuantity = z
  .number({ error: 'quantity must be a number' })
  .int('quantity must be a whole number')
  .nonnegative('quantity must not be negative')
  .max(10_000_000, 'quantity above 10,000,000 is not plausible');

/** A time of day, 24 h clock. */
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');

/** Whether this runtime knows `zone` as an IANA time zone (e.g. Europe/Berlin). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
