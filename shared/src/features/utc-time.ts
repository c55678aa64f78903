// Time as the feature spec reads it: instants at millisecond precision, days as UTC calendar days.

const msPerDay = 86_400_000;

/** Epoch milliseconds of an ISO 8601 timestamp with offset (digits beyond milliseconds truncated by Date.parse). */
export function instantMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 timestamp: ${iso}`);
  return ms;
}

/** 'YYYY-MM-DD' of the UTC day holding the instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC day `offset` days after `day` (negative: before). */
export function shiftDay(day: string, offset: number): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + offset * msPerDay);
}

/** Canonical form of an instant in the state: ISO 8601 UTC with milliseconds. */
export function canonicalInstant(ms: number): string {
  return new Date(ms).toISOString();
}
