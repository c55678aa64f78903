import { describe, expect, it } from 'vitest';
import { rolloutCreateBody } from './rollout-command.ts';
import { rolloutRequest } from './rollout-spec.ts';

const flags = (extra: Record<string, string>) =>
  rolloutCreateBody({
    action: 'create',
    id: undefined,
    passwordStdin: false,
    swapNow: false,
    rollback: false,
    model: 'tiny-stockout',
    version: '1.0.0',
    ...extra,
  });

describe('tillgate-hub rollout create flags', () => {
  it('builds a body the API accepts: cohort, the swap window with or without a zone, the alert-rate gate', () => {
    const body = flags({
      cohort: 'region=north,format=supermarket',
      swapWindow: '22:00-05:00',
      alertRate: 'max_ratio=2',
    });
    expect(body).toMatchObject({
      target: { cohort: { region: 'north', format: 'supermarket' } },
      swap_window: { from: '22:00', to: '05:00' },
      alert_rate: { max_ratio: 2 },
    });
    expect(rolloutRequest.parse(body)).toMatchObject({ alert_rate: { max_ratio: 2, history_hours: 168 } });
    expect(flags({ swapWindow: '07:00-21:00@Europe/Berlin' }).swap_window).toEqual({
      from: '07:00',
      to: '21:00',
      time_zone: 'Europe/Berlin',
    });
    expect(flags({ alertRate: 'off' }).alert_rate).toBeNull();
  });

  it('refuses malformed flags with what it expected, before any login', () => {
    expect(() => flags({ cohort: 'north' })).toThrow(
      /--cohort takes label=value,\.\.\. \(region, format\), not "north"/,
    );
    expect(() => flags({ cohort: 'region=north', stores: 'a,b' })).toThrow(/--stores or --cohort, not both/);
    expect(() => flags({ swapWindow: '22-05' })).toThrow(/--swap-window takes HH:MM-HH:MM\[@Time\/Zone\], not "22-05"/);
    expect(() => flags({ alertRate: 'max_ratio=lots' })).toThrow(/--alert-rate max_ratio takes a number, not "lots"/);
    // Well-formed but out of range: the API's schema names the field.
    expect(rolloutRequest.safeParse(flags({ swapWindow: '25:00-05:00' })).error?.issues[0]?.path).toEqual([
      'swap_window',
      'from',
    ]);
    expect(rolloutRequest.safeParse(flags({ cohort: 'city=berlin' })).success).toBe(false);
  });
});
