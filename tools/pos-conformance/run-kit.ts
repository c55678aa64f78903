import { type ChildProcess, spawn } from 'node:child_process';
import { type CheckResult, runChecks } from './checks.ts';
import { ConformanceBroker } from './conformance-broker.ts';

export interface KitOptions {
  /** The command that starts the terminal software under test, as argv. */
  command: string[];
  storeId: string;
  terminalId: string;
  /** Distinct events to wait for (the withheld and the rejected one come early among them). */
  events: number;
  timeoutMs: number;
}

export interface KitReport {
  checks: CheckResult[];
  passed: boolean;
  terminalOutput: string;
}

/**
 * Runs one terminal against the conformance broker. The terminal is told where to connect through
 * its environment: TG_CONFORMANCE_URL, _STORE, _TERMINAL, _PASSWORD, _EVENTS (docs/pos-integration.md).
 */
export async function runKit(options: KitOptions): Promise<KitReport> {
  const password = `kit-${Math.random().toString(36).slice(2, 10)}`;
  const broker = await ConformanceBroker.start({
    storeId: options.storeId,
    terminalId: options.terminalId,
    password,
    withholdAt: 3,
    rejectAt: 5,
  });
  let output = '';
  const [program, ...args] = options.command;
  if (program === undefined) throw new Error('conformance kit: give the terminal command after --');
  const terminal: ChildProcess = spawn(program, args, {
    env: {
      ...process.env,
      TG_CONFORMANCE_URL: broker.url,
      TG_CONFORMANCE_STORE: options.storeId,
      TG_CONFORMANCE_TERMINAL: options.terminalId,
      TG_CONFORMANCE_PASSWORD: password,
      TG_CONFORMANCE_EVENTS: String(options.events),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  terminal.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  terminal.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => terminal.once('exit', () => resolve()));
  const deadline = Date.now() + options.timeoutMs;
  let running = true;
  void exited.then(() => (running = false));
  // Done when the terminal sent every event and its Z-report (or stopped), plus a moment for the last re-sends.
  while (
    running &&
    Date.now() < deadline &&
    (broker.distinctEvents < options.events || broker.observation.zReports.length === 0)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))]);
  terminal.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  await broker.close();
  const checks = runChecks(broker.observation);
  return { checks, passed: checks.every((check) => check.outcome !== 'fail'), terminalOutput: output };
}
