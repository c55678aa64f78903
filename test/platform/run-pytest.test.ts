import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Regression (issue 15 item 8): test/run-all.sh turned pytest's exit 5 ("collected nothing") into a
// success, so a Python suite that vanished or stopped collecting still gave a green run.
const script = join(import.meta.dirname, '../run-pytest.sh');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function pytestIn(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tg-run-pytest-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return spawnSync('bash', [script, '-q', '-p', 'no:cacheprovider', dir], { encoding: 'utf8', timeout: 60_000 });
}

describe('the pytest step of test/run-all.sh', () => {
  it('fails, saying why, when pytest collects no test', () => {
    const result = pytestIn({ 'notes.py': 'VALUE = 1\n' });
    expect(result.status).toBe(5);
    expect(result.stderr).toContain('pytest collected no tests');
  });

  it('passes when the collected tests pass', () => {
    expect(pytestIn({ 'test_ok.py': 'def test_ok():\n    assert True\n' }).status).toBe(0);
  });
});
