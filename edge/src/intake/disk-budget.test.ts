import { parsePosPayload, type StoreEvent } from '@tillgate/shared';
import { describe, expect, it } from 'vitest';
import { saleEvent } from '../../../test/edge/pos-events.ts';
import type { DiskUsage, IntakeItem } from '../store/edge-store.ts';
import { DiskBudget } from './disk-budget.ts';

const sale = (seq: number): IntakeItem => {
  const parsed = parsePosPayload(JSON.stringify(saleEvent('s1', 't1', seq)), new Date());
  if (!parsed.ok) throw parsed.violation;
  const event: StoreEvent = parsed.event;
  return { kind: 'event', event, payload: JSON.stringify(event) };
};
const usage = (overrides: Partial<DiskUsage>): DiskUsage => ({
  dbBytes: 0,
  walBytes: 0,
  shmBytes: 32_768,
  liveBytes: 0,
  pageSize: 4_096,
  ...overrides,
});
const MiB = 1024 ** 2;

describe('DiskBudget', () => {
  const budget = new DiskBudget(16 * MiB);
  const batch = Array.from({ length: 1_000 }, (_, n) => sale(n + 1));

  it('splits the cap into WAL allowance, reserve and main file', () => {
    expect(budget).toMatchObject({ capBytes: 16 * MiB, walBytes: 2 * MiB, reserveBytes: 256 * 1024 });
  });

  it('admits a whole batch far from the cap', () => {
    expect(budget.fitting(usage({ dbBytes: MiB, liveBytes: MiB }), batch.slice(0, 20))).toBe(20);
  });

  it('admits only the front of a batch whose worst case would pass the cap', () => {
    const fit = budget.fitting(usage({ dbBytes: 13 * MiB, liveBytes: 13 * MiB }), batch);
    expect(fit).toBeGreaterThan(0);
    expect(fit).toBeLessThan(batch.length);
  });

  it('counts free pages of the main file as room, and a full WAL as none', () => {
    expect(budget.fitting(usage({ dbBytes: 13 * MiB, liveBytes: 4 * MiB }), batch.slice(0, 40))).toBe(40);
    expect(budget.fitting(usage({ dbBytes: MiB, liveBytes: MiB, walBytes: 2 * MiB }), batch)).toBe(0);
  });
});
