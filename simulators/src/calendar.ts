// When shoppers come. All times are UTC: the contracts carry offsets, and the edge's daily feature
// buckets are UTC days, so a UTC store day keeps simulator days and feature days aligned.

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Demand by day of week (0 = Sunday): Saturday shopping peak, quiet Sunday with short hours. */
export const weekdayFactor: readonly number[] = [0.7, 0.85, 0.85, 0.9, 0.95, 1.15, 1.35];

/**
 * Share of a day's baskets by hour of day: morning commuters, lunch, and the after-work peak.
 * Hours with 0 are closed. Sums to 1.
 */
const openHoursProfile: Record<number, number> = {
  7: 0.03,
  8: 0.06,
  9: 0.05,
  10: 0.05,
  11: 0.06,
  12: 0.09,
  13: 0.08,
  14: 0.05,
  15: 0.05,
  16: 0.07,
  17: 0.12,
  18: 0.13,
  19: 0.09,
  20: 0.07,
};

interface Holiday {
  name: string;
  /** Multiplier on the day's demand; 0 = store closed. */
  demand: number;
  /** Last open hour (exclusive) on short days. */
  closesAt?: number;
}

/** Fixed-date holidays (MM-DD). Moveable feasts are left out: the pattern is what the models learn. */
const holidays: Record<string, Holiday> = {
  '01-01': { name: "New Year's Day", demand: 0 },
  '05-01': { name: 'Labour Day', demand: 0 },
  '10-03': { name: 'Day of German Unity', demand: 0 },
  '12-24': { name: 'Christmas Eve', demand: 1.8, closesAt: 14 },
  '12-25': { name: 'Christmas Day', demand: 0 },
  '12-26': { name: 'Boxing Day', demand: 0 },
  '12-31': { name: "New Year's Eve", demand: 1.4, closesAt: 16 },
};

const monthDay = (dayStart: number): string => new Date(dayStart).toISOString().slice(5, 10);

export function holidayOn(dayStart: number): Holiday | undefined {
  return holidays[monthDay(dayStart)];
}

/** Shoppers stock up the day before a closed holiday. */
function preHolidayFactor(dayStart: number): number {
  const tomorrow = holidayOn(dayStart + DAY_MS);
  return tomorrow?.demand === 0 && holidayOn(dayStart)?.demand !== 0 ? 1.5 : 1;
}

export interface DayPlan {
  open: boolean;
  /** Multiplier on the store's average day (weekday x holiday x pre-holiday). */
  demandFactor: number;
  /** Basket share per open hour; empty when closed. */
  hours: { hour: number; share: number }[];
  isHoliday: boolean;
}

export function planDay(dayStart: number): DayPlan {
  const weekday = new Date(dayStart).getUTCDay();
  const holiday = holidayOn(dayStart);
  if (holiday?.demand === 0) return { open: false, demandFactor: 0, hours: [], isHoliday: true };
  // Sunday: 09-18 only.
  const first = weekday === 0 ? 9 : 7;
  const last = Math.min(weekday === 0 ? 18 : 21, holiday?.closesAt ?? 24);
  const open = Object.entries(openHoursProfile)
    .map(([hour, share]) => ({ hour: Number(hour), share }))
    .filter(({ hour }) => hour >= first && hour < last);
  const total = open.reduce((sum, { share }) => sum + share, 0);
  return {
    open: true,
    demandFactor: (weekdayFactor[weekday] ?? 1) * (holiday?.demand ?? 1) * preHolidayFactor(dayStart),
    hours: open.map(({ hour, share }) => ({ hour, share: share / total })),
    isHoliday: holiday !== undefined,
  };
}

export const startOfUtcDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
export const hourMs = (hours: number): number => hours * HOUR_MS;
