/**
 * How old an event's `occurred_at` may be (issue 15): an event dated 1970 or a year back lands in an
 * old partition, skews every aggregate and widens the hub's identity lookup to all of history.
 * One set of limits for the edge (parsePosPayload) and the hub decoder, so the two cannot disagree.
 */
export const eventAgeLimits = {
  /** ms, the edge's default bound on received_at − occurred_at (a terminal offline for a week). */
  defaultMs: 7 * 86_400_000,
  /**
   * ms, the most any store may set (edge `intake.maxAgeMs`), and the hub's bound on received_at −
   * occurred_at. Above a month so a store (or a test) can load a month of history, as the model
   * needs 28 days of it before its first alert.
   */
  maxMs: 45 * 86_400_000,
} as const;

/** Why `occurredAt` is too old against `reference`, naming the limit; null when it is not. */
export function tooOldReason(occurredAt: string, reference: Date, maxAgeMs: number, against: string): string | null {
  const ageMs = reference.getTime() - Date.parse(occurredAt);
  if (ageMs <= maxAgeMs) return null;
  return `${occurredAt} is ${formatDays(ageMs)} days before ${against}; events older than ${formatDays(maxAgeMs)} days are not accepted`;
}

const formatDays = (ms: number): string => (ms / 86_400_000).toFixed(ms < 10 * 86_400_000 ? 1 : 0);
