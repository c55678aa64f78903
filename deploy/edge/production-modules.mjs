// Prints, one per line, the node_modules folders the installed edge agent needs: the agent's and
// @tillgate/shared's runtime dependencies and everything they pull in, resolved in package-lock.json
// the way Node resolves them (nearest node_modules first). The hub's dependencies (chdb, minio, …)
// and every dev tool stay out of the store PC's package.
// Usage: node deploy/edge/production-modules.mjs <repo root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What edge/src and shared/src import at run time (checked by deploy/edge/build-tree.sh: the
// packaged agent starts and runs `doctor` in the install test).
const roots = ['aedes', 'better-sqlite3', 'kafkajs', 'mqtt', 'onnxruntime-node', 'pino', 'zod'];

const root = process.argv[2] ?? '.';
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const packages = lock.packages;

/** The lock path Node would load `name` from when required by the package at `from`. */
function resolve(from, name) {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return null;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

const wanted = new Set();
const queue = roots.map((name) => {
  const path = resolve('', name);
  if (path === null) throw new Error(`${name} is not in package-lock.json`);
  return path;
});
while (queue.length > 0) {
  const path = queue.shift();
  if (wanted.has(path)) continue;
  wanted.add(path);
  const entry = packages[path];
  for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
    const dep = resolve(path, name);
    if (dep !== null) queue.push(dep);
    else if (!(name in (entry.optionalDependencies ?? {}))) throw new Error(`${path} needs ${name}, not in the lock`);
  }
}
process.stdout.write(`${[...wanted].sort().join('\n')}\n`);
