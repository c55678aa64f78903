import type { UpdaterConfig } from './updater-config.ts';

/**
 * Whether a model may be swapped at `at`: never inside a freeze, and inside the store's swap window
 * (its own time zone, so "22:00-06:00" follows the store through daylight-saving changes) unless the
 * rollout said "now".
 */
export function swapAllowed(
  config: Pick<UpdaterConfig, 'swapWindow' | 'freezes'>,
  swap: 'window' | 'now',
  at: Date,
): { allowed: true } | { allowed: false; why: string } {
  const frozen = config.freezes.find(
    (freeze) => Date.parse(freeze.from) <= at.getTime() && at.getTime() < Date.parse(freeze.to),
  );
  if (frozen !== undefined) return { allowed: false, why: `frozen from ${frozen.from} to ${frozen.to}` };
  const window = config.swapWindow;
  if (swap === 'now' || window === null) return { allowed: true };
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: window.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  const inside =
    window.from <= window.to ? local >= window.from && local < window.to : local >= window.from || local < window.to;
  return inside
    ? { allowed: true }
    : {
        allowed: false,
        why: `outside the swap window ${window.from}-${window.to} ${window.timeZone} (store time ${local})`,
      };
}
