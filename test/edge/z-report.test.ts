import { join } from 'node:path';
import { mqttTopics, type PosEvent, type ZReportForward, zReportTotalsOf } from '@tillgate/shared';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';

// End-of-day reconciliation at the edge (issue 14), on the embedded broker (aedes) and the real Kafka:
// a terminal's Z-report is answered on its replies topic (match, or exactly which numbers and totals
// differ), recorded, and forwarded with its result on z-reports; a bad report is rejected and changes nothing.
describe('edge agent: Z-reports', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;
  const replies: Record<string, unknown>[] = [];
  const opened = new Date(Date.now() - 3_600_000).toISOString();
  const events: PosEvent[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('zreport');
    agent = await startAgent(bed.config());
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
    terminal.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString('utf8'))));
    await terminal.subscribeAsync(mqttTopics.posReplies(bed.storeId, 't1'), { qos: 1 });
    events.push(
      saleEvent(bed.storeId, 't1', 1, [{ sku: 'MILK-1L', quantity: 2 }]),
      saleEvent(bed.storeId, 't1', 2, [{ sku: 'BREAD', quantity: 1 }]),
      shelfCountEvent(bed.storeId, 't1', 3, 'EGGS-6', 10),
      saleEvent(bed.storeId, 't1', 4, [{ sku: 'EGGS-6', quantity: 3 }]),
    );
    // Seq 2 is "lost" on the way: the terminal rang it, the agent never got it (until the re-send below).
    for (const event of events) if (event.terminal_seq !== 2) await publishEvent(terminal, event);
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  const report = (id: string, overrides: Record<string, unknown> = {}) => ({
    schema: 1,
    type: 'z_report',
    report_id: id,
    store_id: bed.storeId,
    terminal_id: 't1',
    business_day: new Date().toISOString().slice(0, 10),
    opened_at: opened,
    closed_at: new Date().toISOString(),
    first_seq: 1,
    last_seq: 4,
    currency: 'EUR',
    ...zReportTotalsOf(events),
    ...overrides,
  });
  const sendReport = async (body: Record<string, unknown> | string) => {
    const before = replies.length;
    await terminal.publishAsync(
      mqttTopics.posZReport(bed.storeId, 't1'),
      typeof body === 'string' ? body : JSON.stringify(body),
      { qos: 1 },
    );
    return eventually(() => {
      const reply = replies[before];
      expect(reply).toBeDefined();
      return reply as Record<string, unknown>;
    });
  };

  it('names the missing sequence and the totals that differ, then matches after the late re-send', async () => {
    const mismatch = await sendReport(report('z-1'));
    expect(mismatch).toMatchObject({
      kind: 'z_report_result',
      report_id: 'z-1',
      side: 'edge',
      outcome: 'mismatch',
      missing_seqs: [{ from_seq: 2, to_seq: 2 }],
      missing_events: 1,
      differences: [
        { field: 'counts.sale', reported: 3, found: 2 },
        { field: 'baskets', reported: 3, found: 2 },
        { field: 'gross_sales', reported: 7.14, found: 5.95 },
        { field: 'net_sales', reported: 7.14, found: 5.95 },
      ],
    });

    const late = events.find((event) => event.terminal_seq === 2) as PosEvent;
    await publishEvent(terminal, late);
    const match = await sendReport(report('z-1'));
    expect(match).toMatchObject({ outcome: 'match', missing_seqs: [], missing_events: 0, differences: [] });
    expect(agent.status().z_reports).toMatchObject({ matched: 1, mismatched: 1, rejected: 0 });
    expect(agent.status().z_reports.recent).toEqual([match]);

    // Both results travel to the hub with the report, in the order they were reached.
    const records = await bed.consume('z-reports', 2);
    const forwarded = records.map((record) => JSON.parse(record.value) as ZReportForward);
    expect(forwarded.map((forward) => [forward.report.report_id, forward.edge_result.outcome])).toEqual([
      ['z-1', 'mismatch'],
      ['z-1', 'match'],
    ]);
    expect(records.every((record) => record.key === bed.storeId)).toBe(true);
  });

  it.each([
    ['a total of the wrong type', { gross_sales: '7.14' }, 'gross_sales', /must be a number/],
    ['a business day in the future', { business_day: '2099-01-01' }, 'business_day', /has not begun yet/],
    ['another store', { store_id: 'store-elsewhere' }, 'store_id', /this agent serves store/],
    ['another terminal', { terminal_id: 't2' }, 'terminal_id', /published by terminal "t1"/],
    ['not JSON', 'Z;t1;today', '(payload)', /not valid JSON/],
  ] as const)('rejects %s with the field named, and changes nothing', async (_name, change, field, reason) => {
    const before = agent.status().z_reports;
    const reply = await sendReport(typeof change === 'string' ? change : report('z-bad', change));
    expect(reply).toMatchObject({ field, code: 'TG_SHARED_CONTRACT_VIOLATION' });
    expect(reply.reason).toMatch(reason);
    const after = agent.status().z_reports;
    expect(after).toMatchObject({ matched: before.matched, mismatched: before.mismatched });
    expect(after.rejected).toBe(before.rejected + 1);
    expect(after.recent).toEqual(before.recent);
    // Recorded as a reject for IT, nothing queued for the hub.
    const db = new Database(join(bed.dataDir, 'edge.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM outbox WHERE topic = 'z-reports'").pluck().get()).toBe(2);
      expect(db.prepare('SELECT field FROM rejects ORDER BY id DESC LIMIT 1').pluck().get()).toBe(field);
    } finally {
      db.close();
    }
  });
});
