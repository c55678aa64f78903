import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `npm run bench [-- <name or prefix>...]`: runs bench/<name>.ts (and bench/<name>.sh, for the Python
// ML pipeline) one after another, each in its own process (chDB binds one data directory per process,
// and a benchmark should not share a heap with another). `npm run bench -- hub` runs every
// bench/hub-*; no argument runs them all.
const dir = fileURLToPath(new URL('./', import.meta.url));
const all = readdirSync(dir)
  .filter((file) => (file.endsWith('.ts') || file.endsWith('.sh')) && file !== 'run.ts')
  .sort();
const wanted = process.argv.slice(2);
// setup-cold re-installs everything from an empty cache (15-40 min): only when named.
const explicitOnly = new Set(['setup-cold.sh']);
const chosen =
  wanted.length === 0
    ? all.filter((file) => !explicitOnly.has(file))
    : all.filter((file) => {
        const name = file.slice(0, -3);
        return wanted.some((w) => name === w || name.startsWith(`${w}-`));
      });
if (chosen.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(' ')}; known: ${all.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const file of chosen) {
  process.stdout.write(`\n== bench ${file}\n`);
  const result = file.endsWith('.sh')
    ? spawnSync('bash', [`${dir}${file}`], { stdio: 'inherit' })
    : spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
