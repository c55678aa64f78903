import { createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import type { StoreEvent } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { Client as S3Client } from 'minio';
import { afterAll, describe, expect, it } from 'vitest';
import { type HubTestEnv, hubTestEnv, produce, s3Url, spawnHub, waitForCaughtUp } from './hub-test-kit.ts';

// Regression (issue 15 item 6): the lake kept every edge re-send as another row with the same id, in
// one small file per store per partition per rotation. A replayed day (every event of 2026-03-01
// re-sent after it was archived) is compacted with `tillgate-hub compact-lake --date`, then read back
// with chDB s3(): no duplicate id, every event still there, one file per topic and store; a second
// run changes nothing.
const stores = ['s1', 's2', 's3'];

function day(prefix: string, date: string, count: number): StoreEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const at = `${date}T${String(8 + (i % 10)).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}.000Z`;
    return {
      schema: 1,
      type: 'sale',
      event_id: `${prefix}-${i}`,
      store_id: stores[i % stores.length] ?? 's1',
      terminal_id: 'pos-1',
      terminal_seq: i,
      occurred_at: at,
      received_at: at,
      currency: 'EUR',
      lines: [{ sku: `SKU-${i % 5}`, quantity: 1, unit_price: 3, promo: false }],
    };
  });
}

describe('lake compaction', () => {
  let env: HubTestEnv;
  let hub: RunningHub | undefined;
  const s3 = new S3Client({ ...localStack.s3, pathStyle: true });

  afterAll(async () => {
    await hub?.stop();
    await env?.cleanup();
  });

  const objects = async () => {
    const names: string[] = [];
    for await (const item of s3.listObjectsV2(env.config.lake.bucket, env.config.lake.prefix, true)) {
      if (item.name !== undefined) names.push(item.name);
    }
    return names.sort();
  };

  const lakeCounts = async (date: string) => {
    const client = createClickHouse(env.config.clickhouse);
    try {
      const source = `s3('${s3Url}/${env.config.lake.bucket}/${env.config.lake.prefix}*/date=${date}/**/*.parquet',
                        '${localStack.s3.accessKey}', '${localStack.s3.secretKey}', 'Parquet')`;
      const [row] = await (
        await client.query({
          query: `SELECT count() AS rows, uniqExact(id) AS ids FROM ${source}`,
          format: 'JSONEachRow',
        })
      ).json<{ rows: string; ids: string }>();
      return { rows: Number(row?.rows), ids: Number(row?.ids) };
    } finally {
      await client.close();
    }
  };

  const compact = async (date: string) => {
    const child = spawnHub(env, ['compact-lake', '--date', date]);
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(0);
  };

  it('leaves a replayed day without duplicate ids, in one file per topic and store', async () => {
    env = hubTestEnv({ lake: { rotateMs: 300 } });
    const replayed = day('replayed', '2026-03-01', 60);
    const other = day('other', '2026-03-02', 12);
    hub = await startHub(env.config, { clickhouse: false, lake: true, api: false });
    await produce(env, [...replayed, ...other], [], 10);
    await waitForCaughtUp(env, 'lake');
    await produce(env, replayed, [], 10); // the edge re-sends the whole day
    await waitForCaughtUp(env, 'lake');
    await hub.stop();
    hub = undefined;
    expect(await lakeCounts('2026-03-01')).toEqual({ rows: 120, ids: 60 });

    await compact('2026-03-01');
    expect(await lakeCounts('2026-03-01')).toEqual({ rows: 60, ids: 60 });
    const after = await objects();
    const dayFiles = after.filter((name) => name.includes('/date=2026-03-01/'));
    expect(dayFiles).toHaveLength(stores.length);
    for (const name of dayFiles) expect(name).toMatch(/\/store=s[1-3]\/[^/]+-compacted-[0-9a-f]{16}\.parquet$/);
    // Another day is not touched.
    expect(await lakeCounts('2026-03-02')).toEqual({ rows: 12, ids: 12 });
    expect(after.filter((name) => name.includes('/date=2026-03-02/') && name.includes('-compacted-'))).toEqual([]);

    await compact('2026-03-01');
    expect(await objects()).toEqual(after);
  }, 180_000);

  it('refuses a date that is not YYYY-MM-DD and changes nothing', async () => {
    const before = await objects();
    const child = spawnHub(env, ['compact-lake', '--date', '2026-02-30']);
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(child.stderr()).toMatch(/--date must be a real date as YYYY-MM-DD, got "2026-02-30"/);
    expect(await objects()).toEqual(before);
  });
});
