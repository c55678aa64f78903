#!/usr/bin/env -S npx tsx
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, TillgateError } from '@tillgate/shared';
import { startAgent } from './agent.ts';
import { type EdgeConfig, loadEdgeConfig } from './config.ts';
import { runDoctor } from './doctor.ts';
import { EdgeError, edgeErrorCodes } from './errors.ts';
import { hashPassword } from './security/password-hash.ts';
import { readPassword } from './security/read-password.ts';
import { openSqliteStore } from './store/sqlite-store.ts';

const usage = `usage: tillgate-edge <command> --config <file.json> [options]
  start                         run the agent (stops cleanly on SIGTERM / SIGINT)
  status                        the running agent's GET /status
  backlog                       unsent events in the outbox (reads the database; works while stopped)
  replay --from SEQ --to SEQ    put forwarded outbox rows back in the send queue
  export-rejects [--after ID] [--out FILE]   rejected messages as JSON lines (stdout by default)
  doctor                        check the config, data dir, model, MQTT and Kafka security; non-zero exit on a failure
  hash-password                 read a terminal or display password (typed, or stdin) and print the
                                passwordHash to put in the config (no --config needed)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    after: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const command = positionals[0];
  if (command === 'hash-password') return hashPasswordCommand();
  if (values.config === undefined || command === undefined) throw new UsageError('a command and --config are required');
  const config = loadEdgeConfig(values.config);
  switch (command) {
    case 'start':
      return start(config);
    case 'status':
      return print(await fetchStatus(config));
    case 'backlog':
      return withStore(config, (store) => print(store.backlog()));
    case 'replay':
      return withStore(config, (store) => {
        const from = wholeNumber('from', values.from);
        const to = wholeNumber('to', values.to);
        if (to < from) throw new EdgeError(edgeErrorCodes.badReplayRange, `--to ${to} is before --from ${from}`);
        print({ requeued: store.requeue(from, to), from, to });
      });
    case 'export-rejects':
      return withStore(config, (store) => exportRejects(store, wholeNumber('after', values.after)));
    case 'doctor':
      return doctor(config, values.config);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function start(config: EdgeConfig): Promise<void> {
  const logger = createLogger({ name: 'tillgate-edge', level: config.logLevel });
  const agent = await startAgent(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function hashPasswordCommand(): Promise<void> {
  const password = await readPassword();
  if (password.length < 8) throw new UsageError('a terminal or display password needs at least 8 characters');
  process.stdout.write(`${await hashPassword(password)}\n`);
}

async function doctor(config: EdgeConfig, file: string): Promise<void> {
  const checks = await runDoctor(config, file);
  for (const { level, check, detail } of checks) process.stdout.write(`${level.padEnd(4)}  ${check}: ${detail}\n`);
  const failed = checks.filter((entry) => entry.level === 'fail').length;
  if (failed > 0) throw new EdgeError(edgeErrorCodes.doctorFailed, `${failed} check(s) failed`);
}

async function fetchStatus(config: EdgeConfig): Promise<unknown> {
  const url = `http://${config.status.host}:${config.status.port}/status`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return await response.json();
  } catch (error) {
    throw new EdgeError(edgeErrorCodes.statusUnavailable, `no agent answered at ${url}; is it running?`, {
      cause: error,
    });
  }
}

function withStore(config: EdgeConfig, use: (store: ReturnType<typeof openSqliteStore>) => void | Promise<void>) {
  const store = openSqliteStore(join(config.dataDir, 'edge.db'));
  return Promise.resolve(use(store)).finally(() => store.close());
}

async function exportRejects(store: ReturnType<typeof openSqliteStore>, after: number): Promise<void> {
  const out = values.out === undefined ? process.stdout : createWriteStream(values.out);
  let last = after;
  for (;;) {
    const rows = store.rejects(last, 1_000);
    if (rows.length === 0) break;
    for (const row of rows) out.write(`${JSON.stringify(row)}\n`);
    last = rows.at(-1)?.id ?? last;
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
}

function wholeNumber(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`--${name} must be a whole number >= 0, got ${text ?? 'nothing'}`);
  }
  return value;
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n${usage}\n`);
  else if (error instanceof TillgateError) process.stderr.write(`${error.code}: ${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
