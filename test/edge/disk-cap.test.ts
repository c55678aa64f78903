import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually } from './harness.ts';
import { saleEvent } from './pos-events.ts';

// The disk cap policy: when unsent events fill the cap, new POS messages are refused — no PUBACK,
// the terminal is told why on its replies topic — and nothing already acknowledged is dropped.
describe('edge agent at its disk cap', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let monitor: MqttClient;
  const replies: { code: string; field: string; reason: string }[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('diskcap');
    const base = bed.config();
    // Nothing listens on port 9: Kafka stays unreachable, so no forwarded rows can be pruned for room.
    agent = await startAgent({
      ...base,
      kafka: { ...base.kafka, brokers: ['127.0.0.1:9'] },
      disk: { ...base.disk, capBytes: 1_048_576 },
    });
    monitor = await connectTerminal(agent.mqttPort ?? 0, 't1');
    monitor.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString('utf8'))));
    await monitor.subscribeAsync(`tillgate/${bed.storeId}/pos/t1/replies`, { qos: 1 });
  });
  afterAll(async () => {
    await monitor?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  it('refuses new events with TG_EDGE_DISK_FULL and keeps every acknowledged one', { timeout: 60_000 }, async () => {
    const terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    const acked: string[] = [];
    const refused = await new Promise<boolean>((resolve) => {
      terminal.once('close', () => resolve(true));
      let seq = 0;
      const burst = () => {
        let left = 50;
        for (let i = 0; i < 50; i++) {
          const event = saleEvent(bed.storeId, 't1', ++seq);
          terminal.publish(`tillgate/${bed.storeId}/pos/t1/events`, JSON.stringify(event), { qos: 1 }, (error) => {
            if (error) return;
            acked.push(event.event_id);
            if (--left === 0) (seq > 50_000 ? () => resolve(false) : burst)();
          });
        }
      };
      burst();
    });
    terminal.end(true);
    expect(refused).toBe(true);
    await eventually(() => expect(replies.map((reply) => reply.code)).toContain('TG_EDGE_DISK_FULL'));
    expect(replies.find((reply) => reply.code === 'TG_EDGE_DISK_FULL')?.reason).toMatch(/buffer is full/);

    const status = agent.status();
    expect(status.intake.refused).toBeGreaterThan(0);
    // The cap counts main file + WAL + shm and is never passed (issue 15: it used to be, by a batch).
    expect(status.disk.used_bytes).toBeLessThanOrEqual(status.disk.cap_bytes);
    const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
    const stored = new Set(db.prepare("SELECT event_id FROM outbox WHERE topic = 'sales-transactions'").pluck().all());
    db.close();
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    console.info(`[disk-cap] ${acked.length} events acknowledged and kept before the 1 MiB cap refused more`);
  });
});
