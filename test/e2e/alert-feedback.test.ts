import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Alert } from '@tillgate/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import {
  type ClickHouseClient,
  createClickHouse,
  hubConfigSchema,
  type RunningHub,
  startHub,
} from '../../hub/src/index.ts';
import { StaffAnswers } from '../../simulators/src/staff-answers.ts';
import {
  connectTerminal,
  type EdgeTestBed,
  edgeTestBed,
  eventually,
  publishEvent,
  terminalPassword,
} from '../edge/harness.ts';
import { saleEvent, shelfCountEvent } from '../edge/pos-events.ts';

// Staff feedback closes the loop (issue 16 item 4), on the real services: a store display answers an
// alert over the agent's embedded MQTT broker -> the agent checks it against its own alerts, stores it
// and forwards it on alert-feedback -> Kafka -> the hub lands it in ClickHouse (alert_feedback), where
// training reads it as the observed label of that alert. A bad answer is a reject with its reason.
const sku = 'MILK-1L';

describe('staff feedback: display -> edge -> Kafka -> ClickHouse', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let hub: RunningHub;
  let clickhouse: ClickHouseClient;
  let terminal: MqttClient;
  let display: MqttClient;
  const received: Alert[] = [];

  beforeAll(async () => {
    bed = await edgeTestBed('feedback');
    const config = hubConfigSchema.parse({
      topicPrefix: bed.topicPrefix,
      topics: { partitions: 1 },
      clickhouse: { dataPath: join(bed.dataDir, 'chdb') },
      logLevel: 'warn',
    });
    hub = await startHub(config, { clickhouse: true, lake: false, api: false });
    clickhouse = createClickHouse(config.clickhouse);
    agent = await startAgent(bed.config());
    terminal = await connectTerminal(agent.mqttPort as number, 't1');
    display = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.mqttPort}`, {
      clientId: `display-${randomUUID().slice(0, 6)}`,
      username: 'display',
      password: terminalPassword,
      reconnectPeriod: 0,
    });
    display.on('message', (topic, payload) => {
      if (!topic.endsWith('/feedback')) received.push(JSON.parse(payload.toString('utf8')) as Alert);
    });
    await display.subscribeAsync(`tillgate/${bed.storeId}/alerts/#`, { qos: 1 });
  }, 120_000);

  afterAll(async () => {
    await terminal?.endAsync();
    await display?.endAsync();
    await agent?.stop();
    await clickhouse?.close();
    await hub?.stop();
    await bed?.cleanup();
  });

  it('lands a display answer in ClickHouse as the label of the alert it answers, and rejects a bad one', async () => {
    // 3 counted, 3 sold: the books reach 0, which raises at once.
    await publishEvent(terminal, shelfCountEvent(bed.storeId, 't1', 1, sku, 3));
    await publishEvent(terminal, saleEvent(bed.storeId, 't1', 2, [{ sku, quantity: 3 }]));
    const raised = await eventually(() => {
      const alert = received.find((a) => a.sku === sku && a.state === 'raised');
      if (alert === undefined) throw new Error('no alert yet');
      return alert;
    });
    const topic = `tillgate/${bed.storeId}/alerts/${sku}/feedback`;
    const answer = {
      schema: 1,
      feedback_id: `fb-${randomUUID()}`,
      alert_id: raised.alert_id,
      answer: 'empty',
      answered_at: new Date().toISOString(),
    };
    await display.publishAsync(topic, JSON.stringify(answer), { qos: 1 });
    // The same answer again (a display re-sending after a reconnect) is kept once.
    await display.publishAsync(topic, JSON.stringify(answer), { qos: 1 });
    await display.publishAsync(
      topic,
      JSON.stringify({ ...answer, feedback_id: 'fb-unknown', alert_id: 'no-such-alert' }),
      {
        qos: 1,
      },
    );
    const rows = await eventually(async () => {
      const result = await clickhouse.query({
        query: 'SELECT feedback_id, alert_id, store_id, sku, answer, display_id FROM alert_feedback FINAL',
        format: 'JSONEachRow',
      });
      const found = await result.json<Record<string, string>>();
      if (found.length === 0) throw new Error('no feedback in ClickHouse yet');
      return found;
    }, 90_000);
    expect(rows).toEqual([
      {
        feedback_id: answer.feedback_id,
        alert_id: raised.alert_id,
        store_id: bed.storeId,
        sku,
        answer: 'empty',
        display_id: 'display',
      },
    ]);
    // An answer to a books-at-zero alert says nothing about silences the books contradict: only
    // answers to hidden_empty alerts steer the store's level (edge/src/alerts/feedback-steering.ts).
    expect(raised.kind).toBe('will_run_out');
    expect(agent.status().alert_levels).toMatchObject({ hidden_empty_steering: null });
    expect(agent.status().recent_rejects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ eventId: 'fb-unknown', field: 'alert_id', code: 'TG_EDGE_BAD_FEEDBACK' }),
      ]),
    );
  }, 150_000);

  it('simulated staff answer every alert truthfully at error rate 0, wrongly at error rate 1', async () => {
    const staff = async (errorRate: number) =>
      StaffAnswers.start({
        storeId: bed.storeId,
        mqttUrl: `mqtt://127.0.0.1:${agent.mqttPort}`,
        displayId: 'display',
        password: terminalPassword,
        answerShare: 1,
        errorRate,
        seed: 1,
        shelfEmpty: (alertSku) => alertSku === 'BREAD-1',
      });
    const truthful = await staff(0);
    const liar = await staff(1);
    await publishEvent(terminal, shelfCountEvent(bed.storeId, 't1', 3, 'BREAD-1', 1));
    await publishEvent(terminal, saleEvent(bed.storeId, 't1', 4, [{ sku: 'BREAD-1', quantity: 1 }]));
    // Each answers the MILK-1L alert still open (retained) from the first test and the new BREAD-1 one.
    await eventually(() => expect(truthful.counts.answered + liar.counts.answered).toBe(4));
    await truthful.stop();
    await liar.stop();
    expect(truthful.counts).toMatchObject({ answered: 2, empty: 1, not_empty: 1, wrong: 0 });
    expect(liar.counts).toMatchObject({ answered: 2, empty: 1, not_empty: 1, wrong: 2 });
    const answers = await eventually(async () => {
      const result = await clickhouse.query({
        query: "SELECT answer FROM alert_feedback FINAL WHERE sku = 'BREAD-1' ORDER BY answer",
        format: 'JSONEachRow',
      });
      const found = await result.json<{ answer: string }>();
      if (found.length < 1) throw new Error('no staff answers in ClickHouse yet');
      return found;
    }, 90_000);
    // Both staff used the same feedback_id for the alert (one per alert): the first answer is kept.
    expect(answers).toHaveLength(1);
  }, 150_000);
});
