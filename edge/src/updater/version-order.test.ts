import { describe, expect, it } from 'vitest';
import { compareVersions } from './version-order.ts';

describe('compareVersions', () => {
  it.each([
    ['1.10', '1.9', 1],
    ['1.202612011200', '1.202611252248', 1],
    ['0.0.1-test', '0.0.1', -1],
    ['0.0.2', '0.0.1-test', 1],
    ['2.0', '2.0.0', 0],
  ])('%s vs %s is %i', (a, b, order) => {
    expect(compareVersions(a, b)).toBe(order);
  });
});
