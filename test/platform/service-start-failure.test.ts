import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A service that cannot start must say which service failed and where its log is. The fault is real:
// another process already listens on the port each service is told to use.
const root = join(import.meta.dirname, '../..');
let blocker: Server;
let takenPort: number;
const runDirs: string[] = [];

beforeAll(async () => {
  blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => blocker.once('listening', resolve));
  const address = blocker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  takenPort = address.port;
});

afterAll(() => {
  blocker.close();
  for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
});

const services: Array<[string, string]> = [
  ['kafka', 'TG_KAFKA_PORT'],
  ['s3proxy', 'TG_S3_PORT'],
  ['mosquitto', 'TG_MOSQUITTO_PORT'],
];

describe('a service that fails to start', () => {
  it.each(services)('%s names itself and its log path', (service, portVariable) => {
    const runDir = mkdtempSync(join(tmpdir(), `tg-start-failure-${service}-`));
    runDirs.push(runDir);
    const result = spawnSync('bash', [join(root, 'deploy/local', `${service}.sh`), 'start'], {
      env: { ...process.env, TILLGATE_RUN: runDir, [portVariable]: String(takenPort) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(service);
    expect(result.stderr).toMatch(new RegExp(`log: ${runDir}/\\S+`));
  });
});
