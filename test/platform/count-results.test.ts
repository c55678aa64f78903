import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';

// The closing line CI reads (test/count-results.mjs), from report files shaped like vitest's JSON and
// pytest's JUnit XML.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function count(files: { status: string; tests: string[] }[]): { line: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-count-'));
  dirs.push(dir);
  const vitest = {
    numPassedTests: files.flatMap((f) => f.tests).filter((t) => t === 'passed').length,
    numFailedTests: files.flatMap((f) => f.tests).filter((t) => t === 'failed').length,
    testResults: files.map((f) => ({ status: f.status, assertionResults: f.tests.map((status) => ({ status })) })),
  };
  writeFileSync(join(dir, 'vitest.json'), JSON.stringify(vitest));
  writeFileSync(
    join(dir, 'pytest.xml'),
    '<testsuites><testsuite tests="2" failures="0" errors="0" skipped="0"></testsuite></testsuites>',
  );
  const result = spawnSync(
    process.execPath,
    ['test/count-results.mjs', join(dir, 'vitest.json'), join(dir, 'pytest.xml')],
    {
      encoding: 'utf8',
    },
  );
  return { line: result.stdout.trim(), status: result.status };
}

it('counts a file whose beforeAll failed (its tests reported skipped) as a failure', () => {
  // test/deploy/compose.test.ts on a new machine: the run failed, the line said "549 passed, 0 failed".
  expect(
    count([
      { status: 'passed', tests: ['passed'] },
      { status: 'failed', tests: ['skipped', 'skipped'] },
    ]),
  ).toEqual({
    line: '3 passed, 1 failed',
    status: 1,
  });
});

it('counts failed tests once, not their file again', () => {
  expect(count([{ status: 'failed', tests: ['passed', 'failed'] }])).toEqual({ line: '3 passed, 1 failed', status: 1 });
  expect(count([{ status: 'passed', tests: ['passed', 'skipped'] }])).toEqual({
    line: '3 passed, 0 failed',
    status: 0,
  });
});
