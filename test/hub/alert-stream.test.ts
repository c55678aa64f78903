import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, type ClickHouseClient, createClickHouse, migrate } from '@tillgate/hub';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, testAuth } from './dashboard-login.ts';

// GET /api/alerts/stream over a real socket (SSE never ends, so not inject()): alerts stored in
// chDB after the stream opened arrive as `alert` events, each login sees only its store's.
describe('live alert stream', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-sse-'));
    clickhouse = createClickHouse({ dataPath: join(dir, 'chdb'), username: 'default', password: '' });
    await migrate(clickhouse);
    app = buildApi({ clickhouse, onlineWithinSeconds: 15, lag: async () => [], auth: await testAuth(dir) });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await clickhouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const storeAlert = (alertId: string, store: string) => {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    return clickhouse.insert({
      table: 'alerts',
      values: [
        {
          alert_id: alertId,
          store_id: store,
          sku: 'SKU-1',
          state: 'raised',
          risk: 0.9,
          threshold: 0.7,
          on_hand: 0,
          model_name: 'm',
          model_version: '1',
          trigger_event_id: `e-${alertId}`,
          at: now,
          kafka_partition: 0,
          kafka_offset: 0,
          ingested_at: now,
        },
      ],
      format: 'JSONEachRow',
    });
  };

  /** Reads `alert` events of one stream until `until` holds for what was read. */
  async function listen(as: string, until: (ids: string[]) => boolean, act: () => Promise<void>): Promise<string[]> {
    const headers = await login(app, as);
    const response = await fetch(`${url}/api/alerts/stream`, { headers });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const ids: string[] = [];
    let text = '';
    const first = await reader.read(); // ': connected' — the feed is subscribed from here on
    text += new TextDecoder().decode(first.value);
    await act();
    while (!until(ids)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      for (const match of text.matchAll(/^data: (.*)$/gm)) {
        const id = JSON.parse(match[1] ?? '{}').alert_id as string;
        if (!ids.includes(id)) ids.push(id);
      }
    }
    await reader.cancel();
    return ids;
  }

  it('pushes alerts stored after the stream opened, to each login only its store', async () => {
    const seenByOps = await listen(
      'ops',
      (ids) => ids.includes('b-s1'),
      async () => {
        await storeAlert('a-s2', 's2');
        await storeAlert('b-s1', 's1');
      },
    );
    expect(seenByOps).toEqual(['a-s2', 'b-s1']);
    // The manager of s1: an s2 alert stored first must not come, the s1 one after it must.
    const seenByManager = await listen(
      'manager-s1',
      (ids) => ids.includes('d-s1'),
      async () => {
        await storeAlert('c-s2', 's2');
        await storeAlert('d-s1', 's1');
      },
    );
    expect(seenByManager).toEqual(['d-s1']);
  });

  it('refuses a stream without a login and a manager asking for another store', async () => {
    expect((await fetch(`${url}/api/alerts/stream`)).status).toBe(401);
    const headers = await login(app, 'manager-s1');
    expect((await fetch(`${url}/api/alerts/stream?store=s2`, { headers })).status).toBe(403);
  });
});
