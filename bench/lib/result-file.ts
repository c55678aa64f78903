import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

// Writes one figure as bench/results/<name>.json in the format of BENCH.md.

export interface BenchResult {
  name: string;
  what: string;
  unit: string;
  value: number;
  baseline?: { what: string; value: number };
  ratio?: number;
  goal?: Record<string, number>;
  runs: number;
  spread: { min: number; max: number };
  command: string;
  [extra: string]: unknown;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** The latency fields of a result (BENCH.md): every figure over all runs' samples pooled. */
export interface LatencyFigures {
  /** The headline: the pooled p99, the same number as `p99`. */
  value: number;
  p50: number;
  p99: number;
  max: number;
  /** Each run's own p99, in run order, so the noise between runs stays visible. */
  per_run_p99: number[];
  /** min and max of `per_run_p99`. */
  spread: { min: number; max: number };
  samples: number;
}

/**
 * Pools the samples of all runs and takes the percentiles of the pool. Not the median of per-run p99s:
 * that hides the slow runs (hub-e2e-latency headlined 671 ms that way while the pooled p99 was 1,367 ms).
 */
export function pooledLatency(runs: readonly (readonly number[])[], digits = 0): LatencyFigures {
  const pooled = runs.flat();
  if (pooled.length === 0) throw new Error('no latency samples: every run came back empty');
  const perRun = runs.map((samples) => round(percentile(samples, 99), digits));
  const p99 = round(percentile(pooled, 99), digits);
  return {
    value: p99,
    p50: round(percentile(pooled, 50), digits),
    p99,
    max: round(
      pooled.reduce((most, sample) => Math.max(most, sample), -Infinity),
      digits,
    ),
    per_run_p99: perRun,
    spread: { min: Math.min(...perRun), max: Math.max(...perRun) },
    samples: pooled.length,
  };
}

export function writeResult(result: BenchResult): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${result.name}.json`;
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}`;
  // The 1-minute load average at the end: on a shared 2-core machine it explains most of the noise.
  const load = round(loadavg()[0] ?? 0, 1);
  writeFileSync(
    file,
    `${JSON.stringify({ ...result, at: new Date().toISOString(), machine, load_average_1m: load }, null, 2)}\n`,
  );
  return file;
}
