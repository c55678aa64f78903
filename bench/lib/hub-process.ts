import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubConfig } from '@tillgate/hub';
import { freePort } from '../../test/free-port.ts';

// The hub as an operator runs it: `tillgate-hub run` (consumers + API, chDB embedded) in its own
// process, so a benchmark's producer and the hub do not share one event loop. The benchmark reads
// ClickHouse through the hub's own /warehouse/query route (the embedded chDB belongs to the hub's
// process) and the process's CPU and RSS from /proc. Every wait is bounded and says what it waited for.

const cli = join(import.meta.dirname, '../../hub/src/cli.ts');

/** `promise`, or an error naming `what` after `ms`: a benchmark reports a stuck step instead of hanging. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * CPU seconds (user + system, all threads: chDB's too), seconds its threads waited runnable for a CPU
 * (the kernel's schedstat: how starved it is on a shared machine), and resident memory of one process.
 */
export interface ProcessSample {
  at: number;
  cpuSeconds: number;
  runQueueSeconds: number;
  rssBytes: number;
}

const ticksPerSecond = 100; // USER_HZ: 100 on every Linux ABI that Node supports

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function sampleProcess(pid: number): ProcessSample {
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime/stime the 14th/15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  let waitedNs = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    // schedstat: ns on a CPU, ns waiting on a run queue, time slices. A thread may end meanwhile.
    const fields = readOptional(`/proc/${pid}/task/${task}/schedstat`)?.split(' ');
    waitedNs += Number(fields?.[1] ?? 0);
  }
  return { at: performance.now(), cpuSeconds, runQueueSeconds: waitedNs / 1e9, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}

export interface HubProcess {
  pid: number;
  apiUrl: string;
  logFile: string;
  /** One SELECT through the hub's /warehouse/query; rows as ClickHouse's JSONEachRow gives them. */
  query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]>;
  sample(): ProcessSample;
  /** SIGTERM, then at most `graceMs` for a clean exit; SIGKILL after that. Says which it was. */
  stop(graceMs: number): Promise<{ clean: boolean; seconds: number; code: number | null }>;
}

/**
 * Starts `tillgate-hub run` with `config` (written to `dir`, its log beside it) and returns once its
 * API answers /health; fails with the log's tail when it exits or is not up within `startMs`.
 */
export async function startHubProcess(config: HubConfig, dir: string, startMs = 180_000): Promise<HubProcess> {
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const configFile = join(dir, 'hub.json');
  const logFile = join(dir, 'hub.log');
  const full = {
    ...config,
    api: {
      ...config.api,
      port,
      warehouseToken: token,
      auth: { ...config.api.auth, usersFile: join(dir, 'users.json'), sessionKeyFile: join(dir, 'session.key') },
    },
  };
  writeFileSync(configFile, JSON.stringify(full, null, 2), { mode: 0o600 });
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cli, 'run', '--config', configFile], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // A benchmark that dies must not leave a hub holding the chDB directory and Kafka groups.
  // A signal ends the benchmark without 'exit' handlers unless it is handled: take the hub along.
  const killOnExit = () => child.kill('SIGKILL');
  const killOnSignal = (signal: NodeJS.Signals) => {
    child.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);
  const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  const apiUrl = `http://127.0.0.1:${port}`;

  const deadline = performance.now() + startMs;
  for (;;) {
    if (gone) throw new Error(`tillgate-hub run exited during start-up; ${logFile}:\n${tail()}`);
    const up = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tillgate-hub run: /health not answering within ${startMs} ms; ${logFile}:\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('tillgate-hub run has no pid');

  return {
    pid,
    apiUrl,
    logFile,
    async query<T>(sql: string, params: Record<string, string | number> = {}): Promise<T[]> {
      const response = await fetch(`${apiUrl}/warehouse/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql, params }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) throw new Error(`/warehouse/query ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { rows: T[] }).rows;
    },
    sample: () => sampleProcess(pid),
    async stop(graceMs: number) {
      const began = performance.now();
      child.kill('SIGTERM');
      let clean = true;
      const code = await within(graceMs, 'the hub to exit after SIGTERM', exited).catch(() => {
        clean = false;
        child.kill('SIGKILL');
        return exited;
      });
      process.removeListener('exit', killOnExit);
      process.removeListener('SIGINT', killOnSignal);
      process.removeListener('SIGTERM', killOnSignal);
      return { clean, seconds: (performance.now() - began) / 1000, code };
    },
  };
}
