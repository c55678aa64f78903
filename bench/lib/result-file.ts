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
