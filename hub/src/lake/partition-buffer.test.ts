import { describe, expect, it } from 'vitest';
import type { LakeRow } from './parquet-encoder.ts';
import { PartitionBuffer } from './partition-buffer.ts';

const row = (storeId: string, offset: string): LakeRow => ({
  id: `e${offset}`,
  type: 'sale',
  storeId,
  occurredAtMs: 0,
  topic: 'sales-transactions',
  partition: 0,
  offset,
  payload: '{}',
});

describe('PartitionBuffer', () => {
  it('opens one file per (date, store), named after the first offset it holds', () => {
    const buffer = new PartitionBuffer(0);
    buffer.add('2026-03-01', row('s1', '10'));
    buffer.add('2026-03-01', row('s2', '11'));
    buffer.add('2026-03-01', row('s1', '12'));
    buffer.add('2026-02-28', row('s1', '13'));
    expect(
      buffer.groups().map(({ date, storeId, firstOffset, rows }) => [date, storeId, firstOffset, rows.length]),
    ).toEqual([
      ['2026-03-01', 's1', '10', 2],
      ['2026-03-01', 's2', '11', 1],
      ['2026-02-28', 's1', '13', 1],
    ]);
  });

  it('a replay from the same committed offset reproduces the same file names, whatever its end', () => {
    const messages = ['s1', 's2', 's1', 's3', 's2'].map((store, index) => row(store, String(100 + index)));
    const firstRun = new PartitionBuffer(0);
    for (const message of messages) firstRun.add('2026-03-01', message);
    const replay = new PartitionBuffer(0);
    for (const message of messages.slice(0, 3)) replay.add('2026-03-01', message);
    const names = (buffer: PartitionBuffer) => buffer.groups().map((group) => `${group.storeId}-o${group.firstOffset}`);
    // The replay ends earlier (s3 not reached yet): its files are a prefix of the first run's names.
    expect(names(replay)).toEqual(['s1-o100', 's2-o101']);
    expect(names(firstRun)).toEqual(['s1-o100', 's2-o101', 's3-o103']);
  });

  it('tracks the last consumed offset, including messages that produced no row', () => {
    const buffer = new PartitionBuffer(0);
    buffer.add('2026-03-01', row('s1', '5'));
    buffer.consumed('5');
    buffer.consumed('6');
    expect(buffer.lastOffset).toBe('6');
  });
});
