import { localStack } from '@tillgate/shared/local-stack';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import type { EdgeConfig } from '../../edge/src/config.ts';
import { type EdgeTestBed, edgeTestBed, eventually } from './harness.ts';
import { saleEvent } from './pos-events.ts';

// External-broker mode against the real Mosquitto of deploy/local: the agent subscribes QoS 1 on a
// persistent session and acknowledges only after its commit, so what terminals publish while the
// agent is down waits in Mosquitto and is stored after the restart. Accounts and ACL are the store
// layout of deploy/local/mosquitto/acl.template: one account per terminal, the agent's read-only on events.
const connectTerminal = (terminalId: string, protocolVersion: 4 | 5 = 4) =>
  mqtt.connectAsync(localStack.mqtt.url, {
    username: terminalId,
    password: localStack.mqtt.terminalPassword,
    protocolVersion,
    reconnectPeriod: 0,
  });

describe('edge agent on an external broker (Mosquitto)', () => {
  let bed: EdgeTestBed;
  let config: EdgeConfig;
  let agent: RunningAgent | null = null;
  let terminal: MqttClient;
  const replies: { field?: string; kind?: string; outcome?: string }[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('external');
    const base = bed.config();
    config = {
      ...base,
      mqtt: {
        mode: 'external',
        url: localStack.mqtt.url,
        ...localStack.mqtt.agent,
        clientId: `edge-${bed.storeId}`,
      },
    };
    terminal = await connectTerminal('t1');
    terminal.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString('utf8'))));
    await terminal.subscribeAsync(`tillgate/${bed.storeId}/pos/t1/replies`, { qos: 1 });
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    // Drop the agent's persistent session so Mosquitto does not keep it.
    const cleaner = await mqtt.connectAsync(localStack.mqtt.url, {
      ...localStack.mqtt.agent,
      clientId: `edge-${bed.storeId}`,
      clean: true,
      reconnectPeriod: 0,
    });
    await cleaner.endAsync();
    await bed?.cleanup();
  });

  // The business day of the Z-report below opens before any event of this file.
  const opened = new Date(Date.now() - 60_000).toISOString();
  const publish = (seq: number) =>
    terminal.publishAsync(`tillgate/${bed.storeId}/pos/t1/events`, JSON.stringify(saleEvent(bed.storeId, 't1', seq)), {
      qos: 1,
    });

  it('stores and forwards, rejects with a reply, and picks up what arrived while it was down', async () => {
    agent = await startAgent(config);
    for (let seq = 1; seq <= 50; seq++) await publish(seq);
    await terminal.publishAsync(`tillgate/${bed.storeId}/pos/t1/events`, '{"schema":1', { qos: 1 });
    await eventually(() => expect(agent?.status().intake.stored).toBe(50));
    await eventually(() => expect(replies.map((reply) => reply.field)).toEqual(['(payload)']));

    await agent.stop();
    agent = null;
    for (let seq = 51; seq <= 150; seq++) await publish(seq);
    agent = await startAgent(config);
    await eventually(() => expect(agent?.status().intake.stored).toBe(100));
    // Regression (issue 15 item 7): mqtt.js handed messages over one at a time, so each paid its own
    // commit (100 here). What waited in Mosquitto arrives in a burst and must share commits.
    expect(agent.status().intake.commits).toBeLessThan(50);

    const records = await bed.consume('sales-transactions', 150);
    const ids = new Set(records.map((record) => JSON.parse(record.value).event_id));
    expect(ids.size).toBe(150);
  });

  it("refuses a terminal publishing on another terminal's topic, and the agent's account publishing events", async () => {
    const stored = agent?.status().intake.stored;
    const other = await connectTerminal('t2', 5);
    const forged = JSON.stringify(saleEvent(bed.storeId, 't1', 999));
    await expect(other.publishAsync(`tillgate/${bed.storeId}/pos/t1/events`, forged, { qos: 1 })).rejects.toThrow(
      /Not authorized/,
    );
    await other.endAsync();
    const asAgent = await mqtt.connectAsync(localStack.mqtt.url, {
      ...localStack.mqtt.agent,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    await expect(asAgent.publishAsync(`tillgate/${bed.storeId}/pos/t1/events`, forged, { qos: 1 })).rejects.toThrow(
      /Not authorized/,
    );
    await asAgent.endAsync();
    expect(agent?.status().intake.stored).toBe(stored);
  });

  it('answers a Z-report that came through Mosquitto on the terminal replies topic', async () => {
    const before = replies.length;
    const report = {
      schema: 1,
      type: 'z_report',
      report_id: 'z-external-1',
      store_id: bed.storeId,
      terminal_id: 't1',
      business_day: new Date().toISOString().slice(0, 10),
      opened_at: opened,
      closed_at: new Date().toISOString(),
      first_seq: 1,
      last_seq: 150,
      currency: 'EUR',
      counts: { sale: 150 },
      baskets: 150,
      gross_sales: 178.5,
      net_sales: 178.5,
    };
    await terminal.publishAsync(`tillgate/${bed.storeId}/pos/t1/z-report`, JSON.stringify(report), { qos: 1 });
    await eventually(() =>
      expect(replies.slice(before)).toEqual([expect.objectContaining({ kind: 'z_report_result', outcome: 'match' })]),
    );
    expect(agent?.status().z_reports).toMatchObject({ matched: 1, mismatched: 0, rejected: 0 });
  });
});
