import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Regression (issue 15 item 8): the e2e test rewrote the committed bench/results/e2e-alerts.json on
// every run, so each test run left a changed tracked file (and a figure from whatever machine ran it).
// Figures in bench/results come from the bench command only; tests write under .run/.
const testRoot = join(import.meta.dirname, '..');
const writesTrackedResult = /(?:writeFileSync|mkdirSync)\(\s*['"`][^'"`]*bench\/results/;

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('test runs and tracked figures', () => {
  it('no test writes into bench/results', () => {
    const offenders = testSources(testRoot).filter((file) => writesTrackedResult.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
