import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// deploy/local/node.sh prunes old node_modules archives right after the first `npm install` on a fresh
// machine, under `set -euo pipefail`. With an empty cache the glob matched nothing, `ls` failed, and
// pipefail + set -e ended the whole setup there without a word (seen: bench/setup-cold.sh's fresh
// clone stopped after "added 286 packages", no archive, no stamp, no error).
const lib = join(import.meta.dirname, '../../deploy/local/lib.sh');
const caches: string[] = [];
afterEach(() => {
  for (const dir of caches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function keepNewest(files: string[]): { status: number | null; left: string[]; stderr: string } {
  const cache = mkdtempSync(join(tmpdir(), 'tg-keep-newest-'));
  caches.push(cache);
  files.forEach((name, age) => {
    const file = join(cache, name);
    writeFileSync(file, '');
    const at = new Date(Date.now() - age * 60_000); // first = newest
    utimesSync(file, at, at);
  });
  // As node.sh runs it: lib.sh sourced (set -euo pipefail), then the prune, then a later step.
  const result = spawnSync(
    'bash',
    ['-c', `source "${lib}"; tg_keep_newest 2 "$TG_CACHE"/node_modules-*.tar; echo after-prune`],
    {
      env: { ...process.env, TILLGATE_CACHE: cache, TILLGATE_RUN: join(cache, 'run') },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(result.stdout).toContain('after-prune');
  const left = readdirSync(cache)
    .filter((name) => name.endsWith('.tar'))
    .sort();
  return { status: result.status, left, stderr: result.stderr };
}

describe('tg_keep_newest (node.sh archive pruning)', () => {
  it('goes on when the cache holds no archive yet (a fresh machine)', () => {
    const { status, left } = keepNewest([]);
    expect(status).toBe(0);
    expect(left).toEqual([]);
  });

  it('keeps the two newest archives and deletes the older ones', () => {
    const { status, left } = keepNewest([
      'node_modules-c.tar',
      'node_modules-b.tar',
      'node_modules-a.tar',
      'node_modules-z.tar',
    ]);
    expect(status).toBe(0);
    expect(left).toEqual(['node_modules-b.tar', 'node_modules-c.tar']);
  });
});
