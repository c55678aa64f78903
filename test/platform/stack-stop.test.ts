import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../free-port.ts';

// Regression (issue 15 item 10): `bash deploy/local/stack.sh | tee stack.log`, then the session ended,
// left Kafka and the S3 server running: the trap covered INT, TERM and EXIT, but a closed terminal is
// SIGHUP and a dead pipe SIGPIPE. The case starts the real stack script on ports of its own (so it
// starts its own Kafka, s3proxy and Mosquitto), ends it once the services are up, and asserts that
// none of them is left. About a minute: three real services start.
const root = join(import.meta.dirname, '../..');
const runDirs: string[] = [];

afterAll(() => {
  for (const dir of runDirs) {
    // Whatever a failed case left behind must not outlive the test.
    for (const pid of servicePids(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function servicePids(runDir: string): number[] {
  return ['kafka/kafka.pid', 's3proxy/s3proxy.pid', 'mosquitto/mosquitto.pid']
    .map((file) => join(runDir, file))
    .filter((file) => existsSync(file))
    .map((file) => Number(readFileSync(file, 'utf8').trim()));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stackEndedBy(interrupt: (group: number, stdout: Readable) => void) {
  const runDir = mkdtempSync(join(tmpdir(), 'tg-stack-stop-'));
  runDirs.push(runDir);
  const ports = Object.fromEntries(
    await Promise.all(
      [
        'TG_KAFKA_PORT',
        'TG_KAFKA_CONTROLLER_PORT',
        'TG_S3_PORT',
        'TG_MOSQUITTO_PORT',
        'TG_HUB_API_PORT',
        'TG_WAN_CONTROL_PORT',
        'TG_AIRFLOW_PORT',
      ].map(async (key) => [key, String(await freePort())]),
    ),
  );
  // Its own process group, as a terminal's foreground job: Ctrl-C and hang-up reach the whole group.
  const stack = spawn('bash', [join(root, 'deploy/local/stack.sh')], {
    env: {
      ...process.env,
      ...ports,
      TILLGATE_RUN: runDir,
      TILLGATE_SKIP_SETUP: '1',
      TILLGATE_STORES: '1',
      TILLGATE_AIRFLOW: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => stack.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    stack.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      // The services are up once the last of them is ready.
      if (stderr.includes('mosquitto ready')) resolve();
    });
    stack.once('exit', () => reject(new Error(`stack.sh ended before the services were up:\n${stderr}`)));
  });
  const pids = servicePids(runDir);
  expect(pids).toHaveLength(3);
  interrupt(stack.pid ?? 0, stack.stdout);
  await exited;
  for (const pid of pids) expect(alive(pid), `service pid ${pid} still running\n${stderr}`).toBe(false);
}

describe('stopping the local stack', () => {
  // A terminal closed under `stack.sh | tee stack.log`: tee is gone (the stack's stdout is a dead
  // pipe) and the stack gets SIGHUP. Before the fix the services outlived it (seen: kafka's pid alive).
  it('stops every service when the terminal hangs up and its stdout pipe is gone', async () => {
    await stackEndedBy((group, stdout) => {
      stdout.destroy();
      process.kill(-group, 'SIGHUP');
    });
  }, 240_000);
});
