import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { biAccessRecord, holidayRecord, productRecord, storeRecord } from '@tillgate/shared';
import { describe, expect, it } from 'vitest';
import { holidayRecords, productRecords, storeRecords } from './dimension-records.ts';
import { defaultScenario } from './scenario.ts';

const example = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../shared/examples/dimensions/${name}`, import.meta.url)), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);

describe('simulated master data for the hub dimensions', () => {
  it('one store record per store, one product per SKU, the calendar holidays by name', () => {
    const scenario = { ...defaultScenario, stores: 5, skus: 40 };
    expect(storeRecords(scenario).map((store) => [store.store_id, store.region])).toEqual([
      ['store-001', 'north'],
      ['store-002', 'south'],
      ['store-003', 'east'],
      ['store-004', 'west'],
      ['store-005', 'north'],
    ]);
    const products = productRecords(scenario);
    expect(new Set(products.map((product) => product.sku)).size).toBe(40);
    expect(products.every((product) => product.department !== 'other')).toBe(true);
    expect(holidayRecords(2026, 1).map((holiday) => holiday.date)).toEqual([
      '2026-01-01',
      '2026-05-01',
      '2026-10-03',
      '2026-12-24',
      '2026-12-25',
      '2026-12-26',
      '2026-12-31',
    ]);
  });

  it('the published examples are what the command writes and pass their contracts', () => {
    const scenario = { ...defaultScenario, stores: 3, skus: 30 };
    expect(example('stores.jsonl')).toEqual(storeRecords(scenario));
    expect(example('catalog.jsonl')).toEqual(productRecords(scenario));
    expect(example('holidays.jsonl')).toEqual(holidayRecords(2026, 2));
    for (const record of example('access.jsonl')) expect(biAccessRecord.safeParse(record).success).toBe(true);
    expect(storeRecord.array().safeParse(example('stores.jsonl')).success).toBe(true);
    expect(productRecord.array().safeParse(example('catalog.jsonl')).success).toBe(true);
    expect(holidayRecord.array().safeParse(example('holidays.jsonl')).success).toBe(true);
  });
});
