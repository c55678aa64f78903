import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PosEvent } from '@tillgate/shared';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeTestBed, edgeTestBed, eventually } from './harness.ts';
import { saleEvent } from './pos-events.ts';
import { freePort, runTerminal } from './pos-simulator.ts';

// Must-show (a): kill -9 of the agent process while simulated terminals publish 50,000 QoS 1 events.
// Every event the agent acknowledged must reach Kafka; nothing is stored twice at the edge; Kafka may
// hold transport duplicates (at-least-once) which the hub removes by event_id — counted and reported.
const terminals = ['t1', 't2'];
const perTerminal = 25_000;
const killAfterAcks = 15_000;
const cli = join(import.meta.dirname, '../../edge/src/cli.ts');

describe('edge agent killed with SIGKILL under load', () => {
  let bed: EdgeTestBed;
  let configFile: string;
  let mqttPort: number;
  let agent: ChildProcess | null = null;

  const spawnAgent = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'start', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${statusPort}/health`);
      expect(response.ok).toBe(true);
    }, 30_000);
    return child;
  };
  let statusPort: number;

  beforeAll(async () => {
    bed = await edgeTestBed('crash');
    mqttPort = await freePort();
    statusPort = await freePort();
    const config = bed.config();
    configFile = join(bed.dataDir, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...config,
        mqtt: { ...config.mqtt, port: mqttPort },
        status: { host: '127.0.0.1', port: statusPort },
      }),
    );
  });
  afterAll(async () => {
    agent?.kill('SIGTERM');
    if (agent !== null && agent.exitCode === null) await new Promise((resolve) => agent?.once('exit', resolve));
    await bed?.cleanup();
  });

  it('forwards every acknowledged event after a restart, storing each once', { timeout: 240_000 }, async () => {
    agent = await spawnAgent();
    const acked = new Set<string>();
    let killed: Promise<void> | null = null;
    const onAck = (event: PosEvent) => {
      acked.add(event.event_id);
      if (acked.size === killAfterAcks && killed === null) {
        const victim = agent as ChildProcess;
        victim.kill('SIGKILL');
        killed = new Promise<void>((resolve) => victim.once('exit', () => resolve())).then(async () => {
          agent = await spawnAgent();
        });
      }
    };
    const results = await Promise.all(
      terminals.map((terminalId) =>
        runTerminal({
          port: () => mqttPort,
          storeId: bed.storeId,
          terminalId,
          events: Array.from({ length: perTerminal }, (_, index) => saleEvent(bed.storeId, terminalId, index + 1)),
          window: 100,
          onAck,
        }),
      ),
    );
    await killed;
    expect(acked.size).toBe(terminals.length * perTerminal);

    const records = await bed.consume('sales-transactions', acked.size, 120_000);
    const ids = records.map((record) => JSON.parse(record.value).event_id as string);
    const distinct = new Set(ids);
    const missing = [...acked].filter((id) => !distinct.has(id));
    expect(missing).toEqual([]);
    expect(distinct.size).toBe(acked.size);

    const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
    const stored = db
      .prepare(
        "SELECT count(*) AS rows, count(DISTINCT event_id) AS ids FROM outbox WHERE topic = 'sales-transactions'",
      )
      .get();
    db.close();
    expect(stored).toEqual({ rows: acked.size, ids: acked.size });
    const resent = results.reduce((sum, result) => sum + result.resent, 0);
    console.info(
      `[crash-recovery] acked ${acked.size}, terminals re-sent ${resent} unacknowledged after the kill, ` +
        `Kafka records ${ids.length}, transport duplicates ${ids.length - distinct.size}`,
    );
  });
});
