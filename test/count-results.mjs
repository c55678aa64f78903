// Totals vitest's JSON report and pytest's JUnit XML into the closing line CI reads:
// "N passed, N failed". Exits 1 when a report is missing or any test failed, so a runner that
// crashed before reporting cannot pass silently.
import { existsSync, readFileSync } from 'node:fs';

const [vitestFile, pytestFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let missing = false;

if (vitestFile && existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  // A test file that failed to load reports no tests, and one whose beforeAll failed reports its tests
  // as skipped (test/deploy/compose.test.ts on a new machine: "549 passed, 0 failed" from a failing
  // run): a failed file with no failed test counts as one failure.
  failed += report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
} else {
  console.error(`no vitest report at ${vitestFile}`);
  missing = true;
}

if (pytestFile && existsSync(pytestFile)) {
  const xml = readFileSync(pytestFile, 'utf8');
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const bad = attr('failures') + attr('errors');
  passed += attr('tests') - bad - attr('skipped');
  failed += bad;
} else {
  console.error(`no pytest report at ${pytestFile}`);
  missing = true;
}

if (missing) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
