import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type PosEvent, parsePosPayload } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { agentRuntime } from '../edge/src/runtime-settings.ts';
import { migrate } from '../edge/src/store/migrations.ts';
import { spawnAgent } from '../test/edge/agent-process.ts';
import { edgeTestBed } from '../test/edge/harness.ts';
import { saleEvent } from '../test/edge/pos-events.ts';
import { runTerminal } from '../test/edge/pos-simulator.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// Durable intake: events/s from 3 terminals publishing QoS 1 (300 in flight each) into the agent's
// embedded broker, counted at the PUBACK, i.e. committed to SQLite with synchronous=FULL — while the
// forwarder ships them to the local Kafka, as in a store. Baseline, interleaved run by run: raw
// better-sqlite3 inserts of the same stamped rows into the same outbox table on the same disk, in
// transactions of 1,000 (the ceiling without MQTT, validation, state or scoring). The same baseline
// with synchronous=NORMAL is recorded too: the price of surviving a power cut. A second reference:
// the same publisher against a bare aedes broker (own process, same runtime flags, PUBACK at once, no
// validation or storage) — what MQTT and the publisher alone carry on this machine, the ceiling any
// MQTT intake can reach here whatever it does behind the broker.
// External-broker mode beside it: the same terminals publish into the local Mosquitto, the agent
// subscribes (QoS 1, persistent session) and acknowledges to Mosquitto after its commit. Mosquitto
// acknowledges the terminals at once, so the rate is counted at the agent: events committed per
// second, from the first publish until GET /status counts them all stored.
const terminals = ['t1', 't2', 't3'];
const perTerminal = 8_000;
const runs = 5;

const bed = await edgeTestBed('bench-intake');
const agent = await spawnAgent(bed.config({ logLevel: 'warn' }));
const plain = await startPlainBroker();
const externalBed = await edgeTestBed('bench-intake-ext');
const externalAgent = await spawnAgent({
  ...externalBed.config({ logLevel: 'warn' }),
  mqtt: {
    mode: 'external',
    url: localStack.mqtt.url,
    // The agent's own Mosquitto account (read events, write replies and alerts).
    ...localStack.mqtt.agent,
    clientId: `edge-${externalBed.storeId}`,
  },
});
let seqBase = 0;

async function publishAll(port: number, storeId: string): Promise<number> {
  const base = seqBase;
  seqBase += perTerminal;
  const started = performance.now();
  await Promise.all(
    terminals.map((terminalId) =>
      runTerminal({
        port: () => port,
        storeId,
        terminalId,
        events: Array.from({ length: perTerminal }, (_, i) => saleEvent(storeId, terminalId, base + i + 1)),
        window: 300,
        onAck: () => undefined,
      }),
    ),
  );
  return (terminals.length * perTerminal) / ((performance.now() - started) / 1_000);
}

const ours = (): Promise<number> => publishAll(agent.mqttPort, bed.storeId);

let externalSeqBase = 0;
async function external(): Promise<number> {
  const base = externalSeqBase;
  externalSeqBase += perTerminal;
  const storedBefore = await storedCount();
  const total = terminals.length * perTerminal;
  const started = performance.now();
  await Promise.all(
    terminals.map(async (terminalId) => {
      // One Mosquitto account per terminal (deploy/local/mosquitto/acl.template): t1..t3.
      const client = await mqtt.connectAsync(localStack.mqtt.url, {
        username: terminalId,
        password: localStack.mqtt.terminalPassword,
        reconnectPeriod: 0,
      });
      const topic = `tillgate/${externalBed.storeId}/pos/${terminalId}/events`;
      const events = Array.from({ length: perTerminal }, (_, i) =>
        JSON.stringify(saleEvent(externalBed.storeId, terminalId, base + i + 1)),
      );
      // 300 in flight, as against the embedded broker.
      for (let offset = 0; offset < events.length; offset += 300) {
        await Promise.all(
          events.slice(offset, offset + 300).map((payload) => client.publishAsync(topic, payload, { qos: 1 })),
        );
      }
      await client.endAsync();
    }),
  );
  while ((await storedCount()) < storedBefore + total) await new Promise((resolve) => setTimeout(resolve, 20));
  return total / ((performance.now() - started) / 1_000);
}

async function storedCount(): Promise<number> {
  const status = (await externalAgent.status()) as { intake: { stored: number } };
  return status.intake.stored;
}

async function startPlainBroker(): Promise<{ port: number; stop(): Promise<void> }> {
  const script = join(import.meta.dirname, 'lib/plain-aedes-broker.ts');
  const child = spawn(process.execPath, [...agentRuntime.nodeArgs, '--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...agentRuntime.env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the plain aedes broker exited with code ${code} before listening`)));
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim())));
  });
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function raw(synchronous: 'FULL' | 'NORMAL', run: number): number {
  const file = join(bed.dataDir, `raw-${synchronous}-${run}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  migrate(db);
  const rows: PosEvent[] = terminals.flatMap((terminalId) =>
    Array.from({ length: perTerminal }, (_, i) => saleEvent(bed.storeId, terminalId, i + 1)),
  );
  const stamped = rows.map((event) => {
    const result = parsePosPayload(JSON.stringify(event), new Date());
    if (!result.ok) throw result.violation;
    return result.event;
  });
  const insert = db.prepare(
    `INSERT INTO outbox (event_id, terminal_id, terminal_seq, topic, key, payload, received_at)
     VALUES (?, ?, ?, 'sales-transactions', ?, ?, ?)`,
  );
  const batch = db.transaction((slice: typeof stamped) => {
    for (const event of slice) {
      insert.run(
        event.event_id,
        event.terminal_id,
        event.terminal_seq,
        event.store_id,
        JSON.stringify(event),
        event.received_at,
      );
    }
  });
  const started = performance.now();
  for (let offset = 0; offset < stamped.length; offset += 1_000) batch(stamped.slice(offset, offset + 1_000));
  const rate = stamped.length / ((performance.now() - started) / 1_000);
  db.close();
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  return rate;
}

try {
  await ours();
  await publishAll(plain.port, bed.storeId);
  await external();
  raw('FULL', -1);
  const oursRates: number[] = [];
  const externalRates: number[] = [];
  const plainRates: number[] = [];
  const fullRates: number[] = [];
  const normalRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    oursRates.push(await ours());
    plainRates.push(await publishAll(plain.port, bed.storeId));
    externalRates.push(await external());
    fullRates.push(raw('FULL', run));
    normalRates.push(raw('NORMAL', run));
  }
  const value = median(oursRates);
  const baseline = median(fullRates);
  const file = writeResult({
    name: 'edge-intake',
    what: `durable MQTT intake, events/s, QoS 1, ${terminals.length} terminals x 300 in flight, ~${JSON.stringify(saleEvent(bed.storeId, 't1', 1)).length}-byte sale events, PUBACK after a synchronous=FULL commit, forwarder running`,
    unit: 'events/s',
    value: Math.round(value),
    baseline: {
      what: 'raw better-sqlite3 inserts of the same rows into the same outbox table, transactions of 1,000, WAL + synchronous=FULL, same disk',
      value: Math.round(baseline),
    },
    ratio: round(value / baseline),
    goal: { ratio_at_least: 0.5 },
    runs,
    spread: { min: Math.round(Math.min(...oursRates)), max: Math.round(Math.max(...oursRates)) },
    raw_synchronous_normal: {
      what: 'the same raw baseline with synchronous=NORMAL (not power-cut safe)',
      value: Math.round(median(normalRates)),
    },
    plain_broker: {
      what: 'the same publisher against a bare aedes broker in its own process (PUBACK at once; no login, validation or storage): the MQTT ceiling on this machine',
      value: Math.round(median(plainRates)),
      spread: { min: Math.round(Math.min(...plainRates)), max: Math.round(Math.max(...plainRates)) },
    },
    ratio_to_plain_broker: round(value / median(plainRates)),
    external_broker: {
      what: `external-broker mode: the same terminals publish QoS 1 into the local Mosquitto (${mosquittoVersion()}); events/s committed by the agent (subscribed QoS 1, persistent session, PUBACK to Mosquitto after its synchronous=FULL commit), counted at GET /status`,
      value: Math.round(median(externalRates)),
      spread: { min: Math.round(Math.min(...externalRates)), max: Math.round(Math.max(...externalRates)) },
      ratio_to_embedded: round(median(externalRates) / value),
    },
    plain_broker_to_baseline: round(median(plainRates) / baseline),
    command: 'npm run bench -- edge-intake',
  });
  process.stdout.write(
    `edge-intake: ${Math.round(value)} events/s vs raw ${Math.round(baseline)}, bare aedes ${Math.round(median(plainRates))}, external (Mosquitto) ${Math.round(median(externalRates))} -> ${file}\n`,
  );
} finally {
  await plain.stop();
  await agent.stop();
  await externalAgent.stop();
  await dropSession(`edge-${externalBed.storeId}`);
  await bed.cleanup();
  await externalBed.cleanup();
}
// On Node 20 a handle of the test beds outlives them and kept node20-compare waiting for ever.
process.exit(0);

/** Ends the agent's persistent session so Mosquitto does not keep queueing for it. */
async function dropSession(clientId: string): Promise<void> {
  const cleaner = await mqtt.connectAsync(localStack.mqtt.url, {
    ...localStack.mqtt.agent,
    clientId,
    clean: true,
    reconnectPeriod: 0,
  });
  await cleaner.endAsync();
}

function mosquittoVersion(): string {
  try {
    return /mosquitto version [\d.]+/.exec(execFileSync('mosquitto', ['-h'], { encoding: 'utf8' }))?.[0] ?? 'mosquitto';
  } catch (error) {
    // `mosquitto -h` prints its usage and exits non-zero.
    return /mosquitto version [\d.]+/.exec(String((error as { stdout?: string }).stdout))?.[0] ?? 'mosquitto';
  }
}
