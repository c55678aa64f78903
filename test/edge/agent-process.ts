import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeConfig } from '../../edge/src/config.ts';
import { agentRuntime } from '../../edge/src/runtime-settings.ts';
import { freePort } from '../free-port.ts';
import { eventually, within } from './harness.ts';

const cli = join(import.meta.dirname, '../../edge/src/cli.ts');

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly mqttPort: number;
  readonly statusPort: number;
  status(): Promise<Record<string, unknown>>;
  /** Resident set size of the agent process in bytes (Linux /proc). */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** Runs `edge/src/cli.ts start` as its own process with the store-PC runtime settings (benchmarks). */
export async function spawnAgent(config: EdgeConfig): Promise<AgentProcess> {
  const mqttPort =
    config.mqtt.mode === 'embedded' && config.mqtt.port !== 0 && config.mqtt.port !== null
      ? config.mqtt.port
      : await freePort();
  const statusPort = config.status.port !== 0 ? config.status.port : await freePort();
  const file = join(config.dataDir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      mqtt: config.mqtt.mode === 'embedded' ? { ...config.mqtt, port: mqttPort } : config.mqtt,
      status: { ...config.status, port: statusPort },
    }),
    // Owner-only, as the packages install it: the agent refuses a config with secrets others can read.
    { mode: 0o600 },
  );
  const child = spawn(process.execPath, [...agentRuntime.nodeArgs, '--import', 'tsx', cli, 'start', '--config', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...agentRuntime.env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const status = async () =>
    (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as Record<string, unknown>;
  // A cold start compiles every source file (tsx's cache is per path, and node20-compare runs a fresh
  // copy): at load ~40 that took longer than 30 s. The bound is for a start that never comes.
  await eventually(status, 120_000);
  return {
    child,
    mqttPort,
    statusPort,
    status,
    async rssBytes() {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(text)?.[1] ?? Number.NaN) * 1024;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      try {
        await within(exited, 30_000, `agent pid ${child.pid} to exit after SIGTERM (a shutdown that hangs)`);
      } catch (error) {
        child.kill('SIGKILL');
        await exited;
        throw error;
      }
    },
  };
}
