import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PosEvent, parsePosPayload } from '@tillgate/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saleEvent } from '../../../test/edge/pos-events.ts';
import type { EdgeStore, IntakeItem } from './edge-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

// Gap detection (issue 14) on a real SQLite store: numbers a terminal used but never delivered.
const item = (event: PosEvent): IntakeItem => {
  const result = parsePosPayload(JSON.stringify(event), new Date());
  if (!result.ok) throw result.violation;
  return { kind: 'event', event: result.event, payload: JSON.stringify(result.event) };
};
const ranges = (store: EdgeStore) =>
  store.sequenceGaps().map((gap) => [gap.terminalId, gap.epoch, gap.fromSeq, gap.toSeq]);

describe('sequence gaps', () => {
  let dir: string;
  let store: EdgeStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-gaps-'));
    store = openSqliteStore(join(dir, 'edge.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a dropped message as a gap and clears it when the late re-send arrives', () => {
    // Rung up in order (occurred_at rising); 3 and 4 reach the agent late, as a re-send does.
    const [one, two, three, four, five, six] = [1, 2, 3, 4, 5, 6].map((seq) => {
      const sale = saleEvent('s1', 't1', seq);
      return { ...sale, occurred_at: new Date(Date.now() - (10 - seq) * 1_000).toISOString() };
    }) as PosEvent[];
    store.commitIntake([one, two, five, six].map((event) => item(event as PosEvent)));
    store.commitIntake([item(saleEvent('s1', 't2', 1)), item(saleEvent('s1', 't2', 2))]);
    expect(ranges(store)).toEqual([['t1', 0, 3, 4]]);
    expect(Date.parse(store.sequenceGaps()[0]?.openSince ?? '')).toBeGreaterThan(Date.now() - 60_000);

    store.commitIntake([item(four as PosEvent)]);
    expect(ranges(store)).toEqual([['t1', 0, 3, 3]]);
    store.commitIntake([item(three as PosEvent)]);
    expect(ranges(store)).toEqual([]);
  });

  it('does not call a counter restart a gap: the new epoch starts clean', () => {
    store.commitIntake([1, 2, 3].map((seq) => item(saleEvent('s1', 't1', seq))));
    // A reinstalled till numbers from 1 again, with new sales (new ids, later times): a new epoch.
    const restarted = [1, 2].map((seq) => ({ ...saleEvent('s1', 't1', seq), event_id: `s1-t1-again-${seq}` }));
    store.commitIntake(restarted.map(item));
    expect(store.terminalEpochs().map((epoch) => epoch.epoch)).toEqual([0, 1]);
    expect(ranges(store)).toEqual([]);
  });
});
