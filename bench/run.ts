import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `npm run bench [-- <name or prefix>...]`: runs bench/<name>.ts files one after another, each in its
// own process (chDB binds one data directory per process, and a benchmark should not share a heap
// with another). `npm run bench -- hub` runs every bench/hub-*.ts; no argument runs them all.
const dir = fileURLToPath(new URL('./', import.meta.url));
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const chosen =
  wanted.length === 0 ? all : all.filter((name) => wanted.some((w) => name === w || name.startsWith(`${w}-`)));
if (chosen.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(' ')}; known: ${all.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  process.stdout.write(`\n== bench ${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${name}.ts`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
