import { type AuthOptions, buildApi, createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import { kafkaTopics, mqttTopics, type PosEvent, zReportTotalsOf } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, eventually, publishEvent } from '../edge/harness.ts';
import { saleEvent, shelfCountEvent } from '../edge/pos-events.ts';
import { login, testAuth } from './dashboard-login.ts';
import { type HubTestEnv, hubTestEnv, produce } from './hub-test-kit.ts';

// End-of-day reconciliation end to end (issue 14 "Must show"): terminals -> the agent's embedded broker
// (aedes) -> Kafka -> the hub's ingest and reconciler -> chDB. A report that matches is answered
// "match" and lands as a match for both sides in `reconciliation`; one with a lost sale names the
// missing number at the edge and at the hub, and matches on both after the late re-send; a bad
// forwarded report is dead-lettered and changes nothing. The lost sale is also a sequence gap on the
// hub's fleet view (GET /api/fleet) until the late re-send closes it.
describe('Z-report reconciliation, edge and hub', () => {
  let env: HubTestEnv;
  let bed: EdgeTestBed;
  let hub: RunningHub;
  let agent: RunningAgent;
  let auth: AuthOptions;
  const terminals = new Map<string, MqttClient>();
  const replies = new Map<string, Record<string, unknown>[]>();
  const opened = new Date(Date.now() - 3_600_000).toISOString();
  const clickhouse = () => createClickHouse(env.config.clickhouse);

  beforeAll(async () => {
    env = hubTestEnv();
    auth = await testAuth(env.dir);
    // A pass every 200 ms; a mismatch is recorded once its report has been in ClickHouse for 1 s.
    const config = { ...env.config, reconciliation: { ...env.config.reconciliation, tickMs: 200, settleMs: 1_000 } };
    hub = await startHub(config, { clickhouse: true, lake: false, api: false });
    bed = await edgeTestBed('zrecon');
    agent = await startAgent(
      bed.config({
        kafka: { brokers: [...localStack.kafka.brokers], topicPrefix: env.config.topicPrefix, idleMs: 20 },
        // Every heartbeat (1 s) carries the current gaps.
        status: { port: 0, gapRefreshMs: 0 },
      }),
    );
    for (const id of ['t1', 't2']) {
      const client = await connectTerminal(agent.mqttPort ?? 0, id);
      replies.set(id, []);
      client.on('message', (_topic, payload) => replies.get(id)?.push(JSON.parse(payload.toString('utf8'))));
      await client.subscribeAsync(mqttTopics.posReplies(bed.storeId, id), { qos: 1 });
      terminals.set(id, client);
    }
  });
  afterAll(async () => {
    for (const client of terminals.values()) await client.endAsync();
    await agent?.stop();
    await hub?.stop();
    await bed?.cleanup();
    await env?.cleanup();
  });

  const day = (terminal: string): PosEvent[] => [
    saleEvent(bed.storeId, terminal, 1, [{ sku: 'MILK-1L', quantity: 2 }]),
    saleEvent(bed.storeId, terminal, 2, [{ sku: 'BREAD', quantity: 1 }]),
    shelfCountEvent(bed.storeId, terminal, 3, 'EGGS-6', 10),
    saleEvent(bed.storeId, terminal, 4, [{ sku: 'EGGS-6', quantity: 3 }]),
  ];
  const report = (terminal: string) => ({
    schema: 1,
    type: 'z_report',
    report_id: `z-${terminal}`,
    store_id: bed.storeId,
    terminal_id: terminal,
    business_day: new Date().toISOString().slice(0, 10),
    opened_at: opened,
    closed_at: new Date().toISOString(),
    first_seq: 1,
    last_seq: 4,
    currency: 'EUR',
    ...zReportTotalsOf(day(terminal)),
  });
  /** Sends the terminal's report and returns the agent's answer. */
  const close = async (terminal: string) => {
    const seen = replies.get(terminal) ?? [];
    const before = seen.length;
    await terminals
      .get(terminal)
      ?.publishAsync(mqttTopics.posZReport(bed.storeId, terminal), JSON.stringify(report(terminal)), {
        qos: 1,
      });
    return eventually(() => {
      expect(seen[before]).toBeDefined();
      return seen[before] as Record<string, unknown>;
    });
  };
  const dashboardGet = async (url: string) => {
    const api = buildApi({
      clickhouse: clickhouse(),
      onlineWithinSeconds: 60,
      now: () => new Date(),
      lag: async () => [],
      auth,
    });
    return api.inject({ method: 'GET', url, headers: await login(api, 'ops') });
  };
  /** This store's row of GET /api/fleet, as the ops dashboard reads it. */
  const fleetRow = async () => {
    const response = await dashboardGet('/api/fleet');
    expect(response.statusCode).toBe(200);
    return (response.json() as { stores: Record<string, unknown>[] }).stores.find(
      (store) => store.storeId === bed.storeId,
    );
  };
  interface Row {
    terminal_id: string;
    side: string;
    outcome: string;
    missing_events: string;
    missing_seqs: string;
    differences: string;
  }
  const latest = async (): Promise<Row[]> =>
    (
      await clickhouse().query({
        query: `SELECT terminal_id, side, outcome, missing_events, missing_seqs, differences
                FROM reconciliation_latest WHERE store_id = {store:String} ORDER BY terminal_id, side`,
        query_params: { store: bed.storeId },
        format: 'JSONEachRow',
      })
    ).json<Row>();

  it('a matching report: "match" to the terminal, and a match row for the edge and for the hub', async () => {
    const t1 = terminals.get('t1') as MqttClient;
    for (const event of day('t1')) await publishEvent(t1, event);
    expect(await close('t1')).toMatchObject({ kind: 'z_report_result', side: 'edge', outcome: 'match' });
    await eventually(
      async () =>
        expect(await latest()).toEqual([
          { terminal_id: 't1', side: 'edge', outcome: 'match', missing_events: '0', missing_seqs: '', differences: '' },
          { terminal_id: 't1', side: 'hub', outcome: 'match', missing_events: '0', missing_seqs: '', differences: '' },
        ]),
      60_000,
    );
    // The store drill-down lists both results (the dashboard's store page).
    const store = await dashboardGet(`/api/stores/${bed.storeId}`);
    expect(store.statusCode, store.body).toBe(200);
    expect(
      (store.json() as { reconciliation: Record<string, unknown>[] }).reconciliation.map((row) => [
        row.terminal_id,
        row.side,
        row.outcome,
      ]),
    ).toEqual([
      ['t1', 'edge', 'match'],
      ['t1', 'hub', 'match'],
    ]);
  });

  it('a report with a lost sale names seq 2 at the edge and at the hub; both match after the re-send', async () => {
    const t2 = terminals.get('t2') as MqttClient;
    const events = day('t2');
    for (const event of events) if (event.terminal_seq !== 2) await publishEvent(t2, event);
    expect(await close('t2')).toMatchObject({
      outcome: 'mismatch',
      missing_seqs: [{ from_seq: 2, to_seq: 2 }],
      differences: [
        { field: 'counts.sale', reported: 3, found: 2 },
        { field: 'baskets', reported: 3, found: 2 },
        { field: 'gross_sales', reported: 7.14, found: 5.95 },
        { field: 'net_sales', reported: 7.14, found: 5.95 },
      ],
    });
    const mismatch = {
      terminal_id: 't2',
      outcome: 'mismatch',
      missing_events: '1',
      missing_seqs: '2-2',
      differences: 'counts.sale 3 vs 2; baskets 3 vs 2; gross_sales 7.14 vs 5.95; net_sales 7.14 vs 5.95',
    };
    await eventually(async () => {
      const rows = (await latest()).filter((row) => row.terminal_id === 't2');
      expect(rows).toEqual([
        { ...mismatch, side: 'edge' },
        { ...mismatch, side: 'hub' },
      ]);
    }, 60_000);
    await eventually(
      async () =>
        expect(await fleetRow()).toMatchObject({
          sequenceGaps: { open: 1, missingEvents: 1, oldestOpenSince: expect.any(String) },
          flags: expect.arrayContaining(['1 missing seq']),
        }),
      60_000,
    );

    await publishEvent(t2, events[1] as PosEvent);
    expect(await close('t2')).toMatchObject({ outcome: 'match', missing_seqs: [] });
    await eventually(async () => {
      const rows = (await latest()).filter((row) => row.terminal_id === 't2');
      expect(rows.map((row) => [row.side, row.outcome, row.missing_seqs])).toEqual([
        ['edge', 'match', ''],
        ['hub', 'match', ''],
      ]);
    }, 60_000);
    // The re-send closed the gap: the next heartbeat says so, and the flag is gone.
    await eventually(async () => {
      const row = await fleetRow();
      expect(row).toMatchObject({ sequenceGaps: { open: 0, missingEvents: 0, oldestOpenSince: null } });
      expect(row?.flags).not.toContain('1 missing seq');
    }, 60_000);
  });

  it('a forwarded report that breaks its contract is dead-lettered, and reconciliation is unchanged', async () => {
    const before = await latest();
    const bad = { schema: 1, report: { ...report('t3'), received_at: 'yesterday' }, edge_result: {} };
    await produce(
      env,
      [],
      [{ topic: env.names.full(kafkaTopics.zReports), key: bed.storeId, value: JSON.stringify(bad) }],
    );
    await eventually(async () => {
      const letters = await (
        await clickhouse().query({
          query: `SELECT field, reason FROM dead_letters WHERE topic = {topic:String}`,
          query_params: { topic: env.names.full(kafkaTopics.zReports) },
          format: 'JSONEachRow',
        })
      ).json<{ field: string; reason: string }>();
      expect(letters).toEqual([{ field: 'report.received_at', reason: expect.stringMatching(/ISO 8601/) }]);
    }, 60_000);
    expect(await latest()).toEqual(before);
  });
});
