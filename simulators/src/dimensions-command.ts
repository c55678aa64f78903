import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { integerOption, requiredOption } from './cli-options.ts';
import { holidayRecords, productRecords, storeRecords } from './dimension-records.ts';
import { defaultScenario } from './scenario.ts';

/**
 * `dimensions --seed 42 --stores 3 --skus 300 --out <dir> [--from-year 2026] [--years 2]`: writes
 * stores.jsonl, catalog.jsonl and holidays.jsonl for `tillgate-hub import-dimensions`.
 */
export async function runDimensionsCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string' },
      stores: { type: 'string' },
      skus: { type: 'string' },
      out: { type: 'string' },
      'from-year': { type: 'string' },
      years: { type: 'string' },
    },
  });
  const out = resolve(requiredOption('out', values.out));
  const scenario = {
    ...defaultScenario,
    seed: integerOption('seed', values.seed, defaultScenario.seed, 0, 2 ** 31),
    stores: integerOption('stores', values.stores, defaultScenario.stores, 1, 2_000),
    skus: integerOption('skus', values.skus, defaultScenario.skus, 10, 50_000),
  };
  const fromYear = integerOption('from-year', values['from-year'], 2026, 2000, 2100);
  const years = integerOption('years', values.years, 2, 1, 20);
  const jsonl = (records: object[]) => `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'stores.jsonl'), jsonl(storeRecords(scenario)));
  writeFileSync(join(out, 'catalog.jsonl'), jsonl(productRecords(scenario)));
  writeFileSync(join(out, 'holidays.jsonl'), jsonl(holidayRecords(fromYear, years)));
}
