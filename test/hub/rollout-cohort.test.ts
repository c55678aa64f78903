import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClickHouse, importDimensions, migrate } from '@tillgate/hub';
import { createLogger, heartbeat, kafkaTopics, type ModelAssignment, type StoreRecord } from '@tillgate/shared';
import { KafkaProducer } from '@tillgate/shared/kafka';
import { ModelRegistry } from '@tillgate/shared/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toClickHouseTime } from '../../hub/src/ingest/clickhouse-time.ts';
import { heartbeatRows } from '../../hub/src/ingest/table-rows.ts';
import { AssignmentPublisher } from '../../hub/src/rollout/assignment-publisher.ts';
import { RolloutController } from '../../hub/src/rollout/rollout-controller.ts';
import { type RolloutRequest, rolloutRequest } from '../../hub/src/rollout/rollout-spec.ts';
import { RolloutStore } from '../../hub/src/rollout/rollout-store.ts';
import { type UpdaterBed, updaterBed } from '../edge/updater-kit.ts';

// Issue 10: a rollout targets a cohort of the fleet registry (store_registry, imported by
// `tillgate-hub import-dimensions --stores`), and each store's order carries its swap window in its
// own time zone: the rollout's, else its trading hours from the registry, else the agent's own.
// Real chDB, Kafka (the orders on model-rollouts) and s3proxy (the registry); no agents: the orders
// are read off the topic.

const registry: Partial<StoreRecord>[] = [
  {
    store_id: 'berlin-1',
    region: 'north',
    format: 'supermarket',
    time_zone: 'Europe/Berlin',
    opens_at: '07:00',
    closes_at: '21:00',
  },
  {
    store_id: 'newyork-1',
    region: 'north',
    format: 'convenience',
    time_zone: 'America/New_York',
    opens_at: '06:00',
    closes_at: '23:30',
  },
  {
    store_id: 'allday-1',
    region: 'north',
    format: 'convenience',
    time_zone: 'Europe/Berlin',
    opens_at: '00:00',
    closes_at: '00:00',
  },
  {
    store_id: 'ghost-1',
    region: 'north',
    format: 'supermarket',
    time_zone: 'Europe/Berlin',
    opens_at: '07:00',
    closes_at: '21:00',
  },
  {
    store_id: 'munich-1',
    region: 'south',
    format: 'supermarket',
    time_zone: 'Europe/Berlin',
    opens_at: '07:00',
    closes_at: '21:00',
  },
];
// Stores that sent a heartbeat: ghost-1 never did; unlisted-1 is not in the registry.
const reporting = ['berlin-1', 'newyork-1', 'allday-1', 'munich-1', 'unlisted-1'];

describe('cohort targets and per-store swap windows from the fleet registry', () => {
  let bed: UpdaterBed;
  let dir: string;
  let client: ClickHouseClient;
  let producer: KafkaProducer;
  let controller: RolloutController;
  let version = 0;

  beforeAll(async () => {
    bed = await updaterBed('cohort');
    dir = mkdtempSync(join(tmpdir(), 'tillgate-rollout-cohort-'));
    client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(client);
    const stores = join(dir, 'stores.jsonl');
    const record = (store: Partial<StoreRecord>) =>
      JSON.stringify({ store_name: store.store_id, size_sqm: 500, daily_sales_target: 1000, ...store });
    writeFileSync(stores, `${registry.map(record).join('\n')}\n`);
    await importDimensions(client, { stores });
    const now = new Date().toISOString();
    for (const storeId of reporting) {
      const beat = heartbeat.parse({
        schema: 1,
        store_id: storeId,
        agent_version: 'test',
        sent_at: now,
        started_at: now,
        backlog_events: 0,
        oldest_unsent_at: null,
        last_forward_at: null,
        model_name: 'tiny-stockout',
        model_version: '0.0.1-test',
        disk_used_bytes: 0,
        rejects_total: 0,
        alerts_open: 0,
      });
      const { table, rows } = heartbeatRows(beat, { partition: 0, offset: '0', ingestedAt: toClickHouseTime(now) });
      await client.insert({ table, values: rows, format: 'JSONEachRow' });
    }
    producer = new KafkaProducer(bed.bed.kafka);
    await producer.connect();
    const publisher = new AssignmentPublisher({
      registry: new ModelRegistry(bed.s3, bed.bucket),
      s3: bed.s3,
      bucket: bed.bucket,
      producer,
      topicPrefix: bed.bed.topicPrefix,
      urlSeconds: 600,
    });
    controller = new RolloutController(
      new RolloutStore(client),
      new ModelRegistry(bed.s3, bed.bucket),
      publisher,
      createLogger({ name: 'rollout-cohort-test', level: 'error' }),
    );
  });
  afterAll(async () => {
    await controller?.stop();
    await producer?.disconnect();
    await client?.close();
    await bed?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a one-wave rollout of a fresh release and returns it with the orders it sent, by store. */
  async function rollOut(fields: Partial<RolloutRequest>) {
    const release = bed.release(`1.0.${++version}`);
    await bed.upload(release);
    const request = rolloutRequest.parse({
      model: 'tiny-stockout',
      version: release.version,
      key_id: bed.signer.pin.id,
      waves: [{ share: 1 }],
      ...fields,
    });
    const rollout = await controller.create(request, 'ops-user');
    const orders = new Map<string, ModelAssignment>();
    await bed.bed.consume(kafkaTopics.modelRollouts, (records) => {
      for (const record of records) {
        const order = JSON.parse(record.value) as ModelAssignment;
        if (order.rollout_id === rollout.rollout_id) orders.set(order.store_id, order);
      }
      return orders.size === rollout.target_stores.length;
    });
    return { rollout, orders, view: await controller.view(rollout.rollout_id) };
  }

  it('targets the cohort stores that report, with their trading hours in their own time zone', async () => {
    const { rollout, orders, view } = await rollOut({ target: { cohort: { region: 'north' } } });
    expect(rollout.target_stores).toEqual(['allday-1', 'berlin-1', 'newyork-1']);
    expect(orders.get('berlin-1')?.swap_window).toEqual({ time_zone: 'Europe/Berlin', from: '07:00', to: '21:00' });
    expect(orders.get('newyork-1')?.swap_window).toEqual({
      time_zone: 'America/New_York',
      from: '06:00',
      to: '23:30',
    });
    // Open around the clock: no window from the registry (from = to would never open).
    expect(orders.get('allday-1')?.swap_window).toBeUndefined();
    const created = view.steps.find((step) => step.step === 'created');
    expect(created?.detail).toMatch(/to 3 store\(s\) \(cohort region=north; 1 registry store\(s\) without a heartbeat/);
    const assigned = view.steps.find((step) => step.step === 'assigned' && step.store_id === 'newyork-1');
    expect(assigned?.detail).toBe('trading hours 06:00-23:30 America/New_York (fleet registry)');
  });

  it("puts the rollout's own window in each store's time zone, and leaves unlisted stores to their agent", async () => {
    const { orders } = await rollOut({
      target: { stores: ['newyork-1', 'unlisted-1'] },
      swap_window: { from: '22:00', to: '05:00' },
    });
    expect(orders.get('newyork-1')?.swap_window).toEqual({
      time_zone: 'America/New_York',
      from: '22:00',
      to: '05:00',
    });
    expect(orders.get('unlisted-1')?.swap_window).toBeUndefined();
    const pinned = await rollOut({
      target: { cohort: { region: 'south', format: 'supermarket' } },
      swap_window: { from: '01:00', to: '02:00', time_zone: 'UTC' },
    });
    expect([...pinned.orders.keys()]).toEqual(['munich-1']);
    expect(pinned.orders.get('munich-1')?.swap_window).toEqual({ time_zone: 'UTC', from: '01:00', to: '02:00' });
  });

  it('refuses a cohort no reporting store is in, and changes nothing', async () => {
    const before = (await controller.list()).length;
    await expect(
      controller.create(
        rolloutRequest.parse({
          model: 'tiny-stockout',
          version: '1.0.1',
          key_id: bed.signer.pin.id,
          target: { cohort: { region: 'west' } },
        }),
        'ops-user',
      ),
    ).rejects.toThrow(/cohort region=west holds 0 store\(s\) of the fleet registry/);
    expect((await controller.list()).length).toBe(before);
    expect(rolloutRequest.safeParse({ model: 'tiny-stockout', version: '1', target: { cohort: {} } }).success).toBe(
      false,
    );
  });
});
