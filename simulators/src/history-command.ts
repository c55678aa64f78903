import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DAY_MS } from './calendar.ts';
import { instantOption, integerOption, numberOption, requiredOption } from './cli-options.ts';
import { SimulatorOptionError } from './errors.ts';
import { runHistory } from './history.ts';
import { writeHistory } from './history-writer.ts';
import { defaultHistoryStart, defaultScenario, type Scenario } from './scenario.ts';

/** `history --seed 42 --stores 3 --days 120 --out <dir> [--start ISO] [--skus N] [--baskets N] ...` */
export async function runHistoryCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: 'string' },
      stores: { type: 'string' },
      days: { type: 'string' },
      out: { type: 'string' },
      start: { type: 'string' },
      skus: { type: 'string' },
      baskets: { type: 'string' },
      terminals: { type: 'string' },
      'phantom-per-day': { type: 'string' },
      'missed-delivery-rate': { type: 'string' },
      'unrecorded-shrink-rate': { type: 'string' },
    },
  });
  const out = resolve(requiredOption('out', values.out));
  const scenario: Scenario = {
    ...defaultScenario,
    seed: integerOption('seed', values.seed, defaultScenario.seed, 0, 2 ** 31),
    stores: integerOption('stores', values.stores, defaultScenario.stores, 1, 500),
    skus: integerOption('skus', values.skus, defaultScenario.skus, 10, 50_000),
    basketsPerDay: integerOption('baskets', values.baskets, defaultScenario.basketsPerDay, 1, 30_000),
    terminals: integerOption('terminals', values.terminals, defaultScenario.terminals, 1, 40),
    phantomPerDay: numberOption('phantom-per-day', values['phantom-per-day'], defaultScenario.phantomPerDay, 0, 100),
    missedDeliveryRate: numberOption(
      'missed-delivery-rate',
      values['missed-delivery-rate'],
      defaultScenario.missedDeliveryRate,
      0,
      1,
    ),
    unrecordedShrinkRate: numberOption(
      'unrecorded-shrink-rate',
      values['unrecorded-shrink-rate'],
      defaultScenario.unrecordedShrinkRate,
      0,
      1,
    ),
  };
  const dayCount = integerOption('days', values.days, 120, 1, 3660);
  const start = instantOption('start', values.start, defaultHistoryStart);
  if (start % DAY_MS !== 0)
    throw new SimulatorOptionError('--start', 'must be a UTC midnight such as 2026-01-05T00:00:00Z');
  const began = Date.now();
  const history = runHistory(scenario, start, dayCount);
  const rows = writeHistory(out, history, {
    generator: 'tillgate simulators history',
    scenario,
    start: new Date(start).toISOString(),
    days: dayCount,
  });
  process.stdout.write(`${JSON.stringify({ out, rows, seconds: (Date.now() - began) / 1000 })}\n`);
}
