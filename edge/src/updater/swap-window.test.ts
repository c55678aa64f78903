import { describe, expect, it } from 'vitest';
import { swapAllowed } from './swap-window.ts';

const berlinNight = { swapWindow: { timeZone: 'Europe/Berlin', from: '22:00', to: '06:00' }, freezes: [] };

describe('swapAllowed', () => {
  it('follows the store time zone across midnight and daylight saving', () => {
    // 21:30 UTC in January is 22:30 in Berlin (inside); in July it is 23:30 (inside); 05:30 UTC in July is 07:30 (outside).
    expect(swapAllowed(berlinNight, 'window', new Date('2026-01-15T21:30:00Z')).allowed).toBe(true);
    expect(swapAllowed(berlinNight, 'window', new Date('2026-07-15T21:30:00Z')).allowed).toBe(true);
    expect(swapAllowed(berlinNight, 'window', new Date('2026-07-15T05:30:00Z'))).toEqual({
      allowed: false,
      why: 'outside the swap window 22:00-06:00 Europe/Berlin (store time 07:30)',
    });
    expect(swapAllowed(berlinNight, 'now', new Date('2026-07-15T05:30:00Z')).allowed).toBe(true);
  });

  it('never swaps inside a freeze, even when the rollout says now', () => {
    const frozen = { swapWindow: null, freezes: [{ from: '2026-12-20T00:00:00Z', to: '2026-12-27T00:00:00Z' }] };
    expect(swapAllowed(frozen, 'now', new Date('2026-12-24T12:00:00Z')).allowed).toBe(false);
    expect(swapAllowed(frozen, 'now', new Date('2026-12-27T00:00:00Z')).allowed).toBe(true);
  });
});
