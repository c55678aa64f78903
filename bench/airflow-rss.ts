import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { median, round, writeResult } from './lib/result-file.ts';

// Memory of the local stack's Airflow: scheduler (with its LocalExecutor workers), DAG processor and API
// server, each with every process it forked. PSS, not RSS: the executor workers are forks of the
// scheduler and share most pages with it, so summing RSS would count those pages three times.
// Baseline, interleaved in the same run: the same three components with Airflow's default sizes
// (parallelism 32, 2 parsing processes) — what `airflow standalone` gives untuned.

const root = fileURLToPath(new URL('../', import.meta.url));
const airflowSh = `${root}deploy/local/airflow.sh`;
const home = `${root}.run/airflow/stack`;
const components = ['scheduler', 'dag-processor', 'api-server'] as const;
const samples = 5;
const settleMs = 20_000; // after healthy: the processor's first parse and the executor's forks are done
const sampleEveryMs = 5_000;

const airflowDefaults = {
  AIRFLOW__CORE__PARALLELISM: '32',
  AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG: '16',
  AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: '2',
  AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL: '30',
};

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command name (field 2) may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process exited while we listed /proc
    }
  }
  return byParent;
}

function tree(pid: number, byParent: Map<number, number[]>): number[] {
  return [pid, ...(byParent.get(pid) ?? []).flatMap((child) => tree(child, byParent))];
}

function kib(pid: number, field: 'Pss' | 'Rss'): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function measure(): { pssMb: number; rssMb: number; processes: number; byComponent: Record<string, number> } {
  const byParent = children();
  let pss = 0;
  let rss = 0;
  let processes = 0;
  const byComponent: Record<string, number> = {};
  for (const component of components) {
    const pids = tree(Number(readFileSync(`${home}/${component}.pid`, 'utf8')), byParent);
    const componentPss = pids.reduce((sum, pid) => sum + kib(pid, 'Pss'), 0);
    byComponent[component] = round(componentPss / 1024, 1);
    pss += componentPss;
    rss += pids.reduce((sum, pid) => sum + kib(pid, 'Rss'), 0);
    processes += pids.length;
  }
  return { pssMb: round(pss / 1024, 1), rssMb: round(rss / 1024, 1), processes, byComponent };
}

function airflow(action: 'start' | 'stop', env: Record<string, string> = {}): void {
  execFileSync('bash', [airflowSh, action], { stdio: 'inherit', env: { ...process.env, ...env } });
}

async function sampleRun(env: Record<string, string>): Promise<ReturnType<typeof measure>[]> {
  airflow('stop');
  airflow('start', env);
  await sleep(settleMs);
  const taken: ReturnType<typeof measure>[] = [];
  for (let i = 0; i < samples; i++) {
    taken.push(measure());
    await sleep(sampleEveryMs);
  }
  return taken;
}

const baseline = await sampleRun(airflowDefaults);
const ours = await sampleRun({});
const pss = ours.map((sample) => sample.pssMb);
const basePss = median(baseline.map((sample) => sample.pssMb));
const value = median(pss);
const middle = ours[Math.floor(samples / 2)];
const file = writeResult({
  name: 'airflow-rss',
  what: 'PSS of the local stack Airflow (scheduler + LocalExecutor workers, DAG processor, API server, every forked process), idle with the DAGs of dags/ parsed; ratio = value / baseline',
  unit: 'MB',
  value,
  baseline: {
    what: 'the same three components with Airflow default sizes (parallelism 32, 2 parsing processes)',
    value: basePss,
  },
  ratio: round(value / basePss),
  goal: { value_at_most: 1024 },
  runs: samples,
  spread: { min: Math.min(...pss), max: Math.max(...pss) },
  rss_mb: middle?.rssMb,
  processes: middle?.processes,
  by_component_pss_mb: middle?.byComponent,
  baseline_processes: baseline[0]?.processes,
  command: 'npm run bench -- airflow-rss',
});
process.stdout.write(`airflow PSS ${value} MB (${middle?.processes} processes) vs defaults ${basePss} MB -> ${file}\n`);
