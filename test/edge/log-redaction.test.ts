import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../free-port.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, terminalPassword } from './harness.ts';

// Secrets never reach the agent's logs (MISSION.md "Operable"): the agent runs as the service does
// (the CLI, JSON lines on stdout, debug level) with a wrong SCRAM password so the forwarder logs its
// failures, and a terminal logs in with a wrong password; the captured log is then grepped for every
// secret of the config and the login attempts.
const wrongScram = 'scram-secret-never-logged';
const wrongTerminalPassword = 'terminal-secret-never-logged';
let bed: EdgeTestBed;
let output = '';

beforeAll(async () => {
  bed = await edgeTestBed('redaction');
  const mqttPort = await freePort();
  const statusPort = await freePort();
  const config = bed.config();
  const file = join(bed.dataDir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      logLevel: 'debug',
      mqtt: { ...config.mqtt, port: mqttPort },
      status: { ...config.status, port: statusPort },
      kafka: {
        ...config.kafka,
        brokers: localStack.kafkaSaslSsl.brokers,
        ssl: { caFile: localStack.kafkaSaslSsl.caFile },
        sasl: { mechanism: 'scram-sha-512', username: localStack.kafkaSaslSsl.username, password: wrongScram },
      },
    }),
    { mode: 0o600 },
  );
  const cli = join(import.meta.dirname, '../../edge/src/cli.ts');
  const child = spawn(process.execPath, [cli, 'start', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(() => expect(output).toContain('edge agent started'), 30_000);
  await expect(connectTerminal(mqttPort, 't1', wrongTerminalPassword)).rejects.toThrow();
  const terminal = await connectTerminal(mqttPort, 't1');
  await terminal.endAsync();
  // The forwarder has tried and failed against SASL_SSL at least once (heartbeats every second).
  await eventually(() => expect(output).toMatch(/SASL SCRAM SHA512 authentication failed/), 30_000);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
});
afterAll(async () => {
  await bed?.cleanup();
});

it('logs the refused login and the failed Kafka authentication without any secret', () => {
  expect(output).toContain('refused an MQTT login');
  for (const secret of [wrongScram, wrongTerminalPassword, terminalPassword]) expect(output).not.toContain(secret);
  // Nor the stored hashes: a hash in a log would let anyone with the log try passwords offline.
  expect(output).not.toMatch(/\$scrypt\$/);
});
