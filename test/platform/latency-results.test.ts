import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Regression (issue 15 item 8): hub-e2e-latency headlined 671 ms, the median of its runs' p99s, while
// the p99 over all its samples was 1,367 ms. A latency result's headline is the pooled p99 (BENCH.md),
// and the figures the issue names list each run's p99 beside it (bench/lib/result-file.ts pooledLatency).
const dir = join(import.meta.dirname, '../../bench/results');
const results = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>);
const latencies = results.filter((result) => result.unit === 'ms' && typeof result.p99 === 'number');
const withRuns = ['hub-e2e-latency', 'edge-alert-latency'];

describe('latency results in bench/results', () => {
  it.each(latencies.map((result) => [result.name, result] as const))('%s headlines its pooled p99', (_, result) => {
    expect(result.value).toBe(result.p99);
  });

  it.each(withRuns)('%s lists the p99 of each of its runs', (name) => {
    const result = results.find((entry) => entry.name === name);
    expect(result?.per_run_p99).toHaveLength(Number(result?.runs));
  });
});
