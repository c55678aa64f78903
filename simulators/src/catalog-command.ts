import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCatalog } from './catalog.ts';
import { integerOption, requiredOption } from './cli-options.ts';
import { defaultScenario } from './scenario.ts';

/** `catalog --seed 42 --skus 300 --out skus.txt`: the SKU list an agent's intake.catalogFile expects (one per line). */
export async function runCatalogCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { seed: { type: 'string' }, skus: { type: 'string' }, out: { type: 'string' } },
  });
  const catalog = generateCatalog(
    integerOption('seed', values.seed, defaultScenario.seed, 0, 2 ** 31),
    integerOption('skus', values.skus, defaultScenario.skus, 10, 50_000),
  );
  const out = requiredOption('out', values.out);
  writeFileSync(out, `# tillgate simulated catalog, one SKU per line\n${catalog.map((item) => item.sku).join('\n')}\n`);
}
