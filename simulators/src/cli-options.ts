import { SimulatorOptionError } from './errors.ts';

/** Parses a CLI flag value as a number within [min, max], naming the flag when it is not. */
export function numberOption(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SimulatorOptionError(`--${flag}`, `expected a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function integerOption(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = numberOption(flag, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new SimulatorOptionError(`--${flag}`, `expected a whole number, got "${raw}"`);
  return value;
}

/** An ISO 8601 instant; `now-<hours>h` is accepted so scripts can say "start 6 hours ago". */
export function instantOption(flag: string, raw: string | undefined, fallback: number, now = Date.now()): number {
  if (raw === undefined) return fallback;
  const relative = /^now-(\d+(?:\.\d+)?)h$/.exec(raw);
  if (relative?.[1] !== undefined) return now - Number(relative[1]) * 3_600_000;
  const value = Date.parse(raw);
  if (Number.isNaN(value)) {
    throw new SimulatorOptionError(
      `--${flag}`,
      `expected an ISO 8601 instant such as 2026-01-05T00:00:00Z or now-6h, got "${raw}"`,
    );
  }
  return value;
}

export function requiredOption(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new SimulatorOptionError(`--${flag}`, 'is required');
  return raw;
}
