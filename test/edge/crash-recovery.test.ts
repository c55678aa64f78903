import { join } from 'node:path';
import type { PosEvent } from '@tillgate/shared';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../edge/src/config.ts';
import { freePort } from '../free-port.ts';
import { type AgentProcess, spawnAgent } from './agent-process.ts';
import { type EdgeTestBed, edgeTestBed } from './harness.ts';
import { saleEvent } from './pos-events.ts';
import { runTerminal } from './pos-simulator.ts';

// Must-show (a): kill -9 of the agent process while simulated terminals publish 50,000 QoS 1 events.
// Every event the agent acknowledged must reach Kafka; nothing is stored twice at the edge; Kafka may
// hold transport duplicates (at-least-once) which the hub removes by event_id — counted and reported.
const terminals = ['t1', 't2'];
const perTerminal = 25_000;
const killAfterAcks = 15_000;

describe('edge agent killed with SIGKILL under load', () => {
  let bed: EdgeTestBed;
  let config: EdgeConfig;
  let agent: AgentProcess | null = null;

  beforeAll(async () => {
    bed = await edgeTestBed('crash');
    // Fixed ports: the restarted agent must be where the terminals reconnect.
    const base = bed.config();
    const mqtt = base.mqtt;
    if (mqtt.mode !== 'embedded') throw new Error('the test bed runs the embedded broker');
    config = {
      ...base,
      mqtt: { ...mqtt, port: await freePort() },
      status: { ...base.status, port: await freePort() },
    };
  });
  afterAll(async () => {
    await agent?.stop();
    await bed?.cleanup();
  });

  it('forwards every acknowledged event after a restart, storing each once', { timeout: 240_000 }, async () => {
    agent = await spawnAgent(config);
    const mqttPort = agent.mqttPort;
    const acked = new Set<string>();
    let killed: Promise<void> | null = null;
    const onAck = (event: PosEvent) => {
      acked.add(event.event_id);
      if (acked.size === killAfterAcks && killed === null) {
        const victim = (agent as AgentProcess).child;
        victim.kill('SIGKILL');
        killed = new Promise<void>((resolve) => victim.once('exit', () => resolve())).then(async () => {
          agent = await spawnAgent(config);
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

    const eventIdOf = (record: { value: string }) => JSON.parse(record.value).event_id as string;
    // Wait for every acknowledged id, not for acked.size records: duplicates from the re-sent batch
    // would otherwise end the read before the last events arrive.
    const records = await bed.consume(
      'sales-transactions',
      (read) => new Set(read.map(eventIdOf)).size >= acked.size,
      120_000,
    );
    const ids = records.map(eventIdOf);
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
