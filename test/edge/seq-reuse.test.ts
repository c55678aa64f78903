import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@tillgate/shared';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';

// Regression (issue 15 items 1 and 2), end to end on the embedded broker and the real Kafka:
// - a new sale whose terminal_seq another event_id already used was acknowledged and dropped as a
//   "duplicate"; it must be stored, forwarded, and reported as a terminal fault (reply, status, log);
// - a re-send after its outbox row was forwarded and pruned was stored again and moved sku_state twice.
describe('edge agent: terminal numbering faults and the dedupe memory', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;
  const replies: { event_id?: string; field: string; code: string; reason: string }[] = [];
  const logLines: { msg: string; kind?: string }[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('seqreuse');
    const logs = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    // Forwarded rows are pruned at once, as under disk pressure.
    agent = await startAgent(bed.config({ disk: { sentRetentionMs: 0, pruneIntervalMs: 100 } }), {
      logger: createLogger({ name: 'seq-reuse-test', level: 'warn' }, logs),
    });
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    terminal.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString('utf8'))));
    await terminal.subscribeAsync(`tillgate/${bed.storeId}/pos/t1/replies`, { qos: 1 });
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  it('stores and forwards a sale on a reused terminal_seq, and reports the fault', async () => {
    const first = saleEvent(bed.storeId, 't1', 1, [{ sku: 'MILK-1L', quantity: 1 }]);
    const reused = { ...saleEvent(bed.storeId, 't1', 1, [{ sku: 'BREAD', quantity: 2 }]), event_id: 'reinstalled-1' };
    await publishEvent(terminal, first);
    await publishEvent(terminal, reused);
    const records = await bed.consume('sales-transactions', 2);
    expect(records.map((record) => JSON.parse(record.value).event_id)).toEqual([first.event_id, 'reinstalled-1']);

    const reply = await eventually(() => {
      const found = replies.find((entry) => entry.code === 'TG_EDGE_TERMINAL_SEQ_REUSED');
      expect(found).toBeDefined();
      return found;
    });
    expect(reply).toMatchObject({ event_id: 'reinstalled-1', field: 'terminal_seq' });
    expect(reply?.reason).toMatch(/already used by event ".*-t1-1".*stored/);
    const status = agent.status();
    expect(status.intake).toMatchObject({ stored: 2, duplicates: 0, terminal_faults: { seq_reused: 1 } });
    expect(status.terminals).toEqual([
      expect.objectContaining({ terminal_id: 't1', epoch: 1, opened_by: 'seq_reused' }),
    ]);
    expect(logLines).toContainEqual(expect.objectContaining({ kind: 'seq_reused', eventId: 'reinstalled-1' }));
  });

  it('recognises a re-send after its outbox row was forwarded and pruned', async () => {
    const count = shelfCountEvent(bed.storeId, 't1', 10, 'EGGS-6', 10);
    const sale = saleEvent(bed.storeId, 't1', 11, [{ sku: 'EGGS-6', quantity: 4 }]);
    await publishEvent(terminal, count);
    await publishEvent(terminal, sale);
    const outboxHas = (eventId: string): boolean => {
      const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
      try {
        return db.prepare('SELECT 1 FROM outbox WHERE event_id = ?').get(eventId) !== undefined;
      } finally {
        db.close();
      }
    };
    await eventually(() => expect(outboxHas(sale.event_id)).toBe(false), 30_000);
    await publishEvent(terminal, sale);
    const status = await eventually(() => {
      const current = agent.status();
      expect(current.intake.duplicates).toBe(1);
      return current;
    });
    expect(status.intake.stored).toBe(4);
    const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
    const state = JSON.parse(db.prepare("SELECT state FROM sku_state WHERE sku = 'EGGS-6'").pluck().get() as string);
    db.close();
    expect(state.onHand).toBe(6);
  });
});
