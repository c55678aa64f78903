import { consumerLag, createClickHouse } from '@tillgate/hub';
import { kafkaTopics, type StoreEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { Client as S3Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HubChild,
  type HubTestEnv,
  hubTestEnv,
  kafkaFor,
  produce,
  s3Url,
  spawnHub,
  totalLag,
  waitForCaughtUp,
} from './hub-test-kit.ts';

// Must-show: a consumer killed (SIGKILL) between its write and its offset commit, then restarted,
// leaves exactly the distinct events produced — in ClickHouse and in the Parquet lake. The crash is
// deterministic: TILLGATE_HUB_CRASH_POINT kills the child at that exact line (hub/src/crash-point.ts).

const stores = ['s1', 's2', 's3', 's4', 's5'];
const skus = ['ALPHA', 'BETA', 'GAMMA', 'DELTA'];

/** 400 sales of 1-4 lines, 5 stores, deterministic, plus 40 edge re-sends of earlier sales. */
function dataset(): { events: StoreEvent[]; distinct: number; lines: number; revenue: number } {
  const events: StoreEvent[] = [];
  let lines = 0;
  let revenue = 0;
  for (let i = 0; i < 400; i++) {
    const count = (i % 4) + 1;
    const saleLines = Array.from({ length: count }, (_, line) => ({
      sku: skus[(i + line) % skus.length] ?? 'ALPHA',
      quantity: ((i + line) % 3) + 1,
      unit_price: 2.5,
      promo: false,
    }));
    lines += count;
    revenue += saleLines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
    const at = new Date(Date.UTC(2026, 2, 1 + (i % 3), 8, 0, i)).toISOString();
    events.push({
      schema: 1,
      type: 'sale',
      event_id: `crash-${i}`,
      store_id: stores[i % stores.length] ?? 's1',
      terminal_id: 'pos-1',
      terminal_seq: i,
      occurred_at: at,
      received_at: at,
      currency: 'EUR',
      lines: saleLines,
    });
  }
  const resent = events.filter((_, i) => i % 10 === 3);
  return { events: [...events, ...resent], distinct: 400, lines, revenue };
}

/** The ClickHouse group's committed offsets on sales-transactions, by partition. */
async function committedOffsets(env: HubTestEnv): Promise<Map<number, string>> {
  const topic = env.names.full(kafkaTopics.salesTransactions);
  const lag = await consumerLag(kafkaFor(env.config), env.config.ingest.groupId, [topic]);
  expect(lag.totalLag).toBeGreaterThan(0);
  return new Map(lag.partitions.map((entry) => [entry.partition, entry.committed ?? '0']));
}

const crashed = async (child: HubChild) => {
  const exit = await Promise.race([
    child.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no crash: ${child.stderr()}`)), 60_000)),
  ]);
  expect(exit.signal, child.stderr()).toBe('SIGKILL');
};

const stopped = async (child: HubChild) => {
  child.process.kill('SIGTERM');
  const exit = await child.exited;
  expect(exit.code, child.stderr()).toBe(0);
};

describe('crash between write and offset commit, then restart', () => {
  let env: HubTestEnv;
  const data = dataset();

  beforeAll(async () => {
    // Small fetches and lake files: many batches, so the crash lands in the middle of the stream.
    env = hubTestEnv({
      ingest: { maxBatchBytes: 4_096 },
      lake: { rotateBytes: 8_192, rotateMs: 300 },
    });
    await produce(env, data.events);
  });

  afterAll(() => env?.cleanup());

  it('ClickHouse: exactly the distinct events, and exact aggregates', async () => {
    await crashed(spawnHub(env, ['ingest', 'clickhouse'], { TILLGATE_HUB_CRASH_POINT: 'after-clickhouse-insert:3' }));
    // The crash left rows in ClickHouse whose offsets were never committed: the replay must meet them.
    const committed = await committedOffsets(env);
    let client = createClickHouse(env.config.clickhouse);
    const written = await (
      await client.query({
        query: 'SELECT kafka_partition AS partition, max(kafka_offset) AS offset FROM sales_lines GROUP BY partition',
        format: 'JSONEachRow',
      })
    ).json<{ partition: number; offset: string }>();
    await client.close();
    const uncommitted = written.filter(
      ({ partition, offset }) => BigInt(offset) >= BigInt(committed.get(partition) ?? '0'),
    );
    expect(uncommitted.length, JSON.stringify({ written, committed: [...committed] })).toBeGreaterThan(0);

    const rerun = spawnHub(env, ['ingest', 'clickhouse']);
    await waitForCaughtUp(env, 'clickhouse');
    await stopped(rerun);

    client = createClickHouse(env.config.clickhouse);
    try {
      const [raw] = await (
        await client.query({
          query: `SELECT count() AS lines, uniqExact(event_id, line_no) AS distinct_lines, uniqExact(event_id) AS events
                  FROM sales_lines`,
          format: 'JSONEachRow',
        })
      ).json();
      expect(raw).toEqual({
        lines: String(data.lines),
        distinct_lines: String(data.lines),
        events: String(data.distinct),
      });
      const [summary] = await (
        await client.query({
          query: `SELECT toString(sum(gross_revenue)) AS revenue, sum(baskets) AS baskets, sum(sale_lines) AS lines
                  FROM daily_sales_summary`,
          format: 'JSONEachRow',
        })
      ).json();
      expect(summary).toEqual({
        revenue: String(data.revenue),
        baskets: String(data.distinct),
        lines: String(data.lines),
      });
    } finally {
      await client.close();
    }
  });

  it('lake: one row per Kafka message, read back with chDB s3(), files overwritten on replay', async () => {
    await crashed(spawnHub(env, ['ingest', 'lake'], { TILLGATE_HUB_CRASH_POINT: 'after-lake-upload:2' }));
    expect(await totalLag(env, 'lake')).toBeGreaterThan(0);
    const s3 = new S3Client({ ...localStack.s3, pathStyle: true });
    const listed = async () => {
      const names: string[] = [];
      for await (const item of s3.listObjectsV2(env.config.lake.bucket, env.config.lake.prefix, true)) {
        if (item.name !== undefined) names.push(item.name);
      }
      return names.sort();
    };
    const beforeReplay = await listed();
    expect(beforeReplay.length).toBeGreaterThan(0);

    const rerun = spawnHub(env, ['ingest', 'lake']);
    await waitForCaughtUp(env, 'lake');
    await stopped(rerun);

    const afterReplay = await listed();
    const topic = `${env.config.topicPrefix}sales-transactions`.replaceAll('.', '\\.');
    const layout = new RegExp(
      `^${env.config.lake.prefix}${topic}/date=2026-03-0[123]/store=s[1-5]/${topic}-p[0-2]-o\\d+\\.parquet$`,
    );
    for (const name of afterReplay) expect(name).toMatch(layout);
    // Files written before the crash were overwritten in place (same names), not joined by copies.
    for (const name of beforeReplay) expect(afterReplay).toContain(name);

    const client = createClickHouse(env.config.clickhouse);
    try {
      const source = `s3('${s3Url}/${env.config.lake.bucket}/${env.config.lake.prefix}**/*.parquet',
                        '${localStack.s3.accessKey}', '${localStack.s3.secretKey}', 'Parquet')`;
      const [lake] = await (
        await client.query({
          query: `SELECT count() AS messages, uniqExact(kafka_partition, kafka_offset) AS offsets, uniqExact(id) AS events
                  FROM ${source}`,
          format: 'JSONEachRow',
        })
      ).json();
      // The lake is the topic's archive: re-sent copies are separate messages, so they are rows too.
      expect(lake).toEqual({
        messages: String(data.events.length),
        offsets: String(data.events.length),
        events: String(data.distinct),
      });
    } finally {
      await client.close();
    }
  });
});
