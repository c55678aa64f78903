import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from './write-coalescer.ts';

describe('WriteCoalescer', () => {
  it('joins parts submitted in the same turn into one write', async () => {
    const writes: number[][] = [];
    const coalescer = new WriteCoalescer<number>(async (parts) => {
      writes.push(parts);
    });
    await Promise.all([1, 2, 3].map((part) => Promise.resolve().then(() => coalescer.submit(part))));
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('runs one write at a time and takes what queued meanwhile', async () => {
    const writes: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new WriteCoalescer<number>(async (parts) => {
      writes.push(parts);
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = coalescer.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [coalescer.submit(2), coalescer.submit(3)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([[1]]);
    release();
    await Promise.all([first, ...later]);
    expect(writes).toEqual([[1], [2, 3]]);
  });

  it('rejects every part of a failed write, so none of them commits its offsets', async () => {
    const coalescer = new WriteCoalescer<number>(async () => {
      throw new Error('insert failed');
    });
    const results = await Promise.allSettled([coalescer.submit(1), coalescer.submit(2)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
