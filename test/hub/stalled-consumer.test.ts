import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import type { StoreEvent } from '@tillgate/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { type HubChild, type HubTestEnv, hubTestEnv, produce, spawnHub, waitForCaughtUp } from './hub-test-kit.ts';

// Regression (issue 15 item 5): the identity filter is race-free only while one member owns a
// partition. A consumer stalled (a real SIGSTOP, at a point between its identity lookup and its
// INSERT) past its 6 s session loses its partitions to a second member, which ingests the same
// batches; on SIGCONT the stalled one used to insert them too, and the materialized views summed them
// twice. Each member has its own chDB directory (chDB binds one per process), so "twice" shows as the
// two stores' totals adding up to more than what was produced; the second member does not see the
// first one's rows, so the test is only fair because the stall comes before the first member's insert.

const stores = ['s1', 's2', 's3', 's4', 's5'];

function sales(prefix: string, count: number): { events: StoreEvent[]; lines: number; revenue: number } {
  const events: StoreEvent[] = [];
  let lines = 0;
  let revenue = 0;
  for (let i = 0; i < count; i++) {
    const saleLines = Array.from({ length: (i % 3) + 1 }, (_, line) => ({
      sku: `SKU-${(i + line) % 7}`,
      quantity: (line % 2) + 1,
      unit_price: 2.5,
      promo: false,
    }));
    lines += saleLines.length;
    revenue += saleLines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
    const at = new Date(Date.UTC(2026, 2, 1 + (i % 2), 9, 0, i % 60)).toISOString();
    events.push({
      schema: 1,
      type: 'sale',
      event_id: `${prefix}-${i}`,
      store_id: stores[i % stores.length] ?? 's1',
      terminal_id: 'pos-1',
      terminal_seq: i,
      occurred_at: at,
      received_at: at,
      currency: 'EUR',
      lines: saleLines,
    });
  }
  return { events, lines, revenue };
}

const totalsQuery = `SELECT (SELECT count() FROM sales_lines) AS lines,
  (SELECT sum(sale_lines) FROM daily_sales_summary) AS summary_lines,
  (SELECT sum(baskets) FROM daily_sales_summary) AS baskets,
  (SELECT sum(gross_revenue) FROM daily_sales_summary) AS revenue`;

interface Totals {
  lines: number;
  summary_lines: number;
  baskets: number;
  revenue: number;
}

const asTotals = (row: Record<string, unknown> | undefined): Totals => ({
  lines: Number(row?.lines ?? 0),
  summary_lines: Number(row?.summary_lines ?? 0),
  baskets: Number(row?.baskets ?? 0),
  revenue: Number(row?.revenue ?? 0),
});

/** The kernel's own word that the process is stopped: state T in /proc/<pid>/stat. */
async function untilStopped(child: HubChild): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const stat = readFileSync(`/proc/${child.process.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    if (child.process.exitCode !== null) throw new Error(`the consumer exited instead: ${child.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the consumer never reached its stall point: ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a consumer stalled past its session', () => {
  let env: HubTestEnv;
  let taker: RunningHub | undefined;

  afterAll(async () => {
    await taker?.stop();
    await env?.cleanup();
  });

  it('does not insert what the member that took over its partitions already inserted', async () => {
    // Small record batches and fetches: many writes, so the stall lands in the middle of the stream.
    env = hubTestEnv({ ingest: { maxBatchBytes: 4_096 } });
    const first = sales('stall', 300);
    await produce(env, first.events, [], 15);
    const stalledDir = join(env.dir, 'chdb-stalled');
    const stalled = spawnHub(env, ['ingest', 'clickhouse'], {
      TILLGATE_HUB_STALL_POINT: 'before-clickhouse-insert:2',
      TILLGATE_HUB__CLICKHOUSE__DATA_PATH: stalledDir,
    });
    await untilStopped(stalled);

    // The second member joins; the group hands it everything once the stalled one's session expired.
    taker = await startHub(env.config, { clickhouse: true, lake: false, api: false });
    await waitForCaughtUp(env, 'clickhouse');
    await taker.stop();
    taker = undefined;

    stalled.process.kill('SIGCONT');
    // More sales after the wake-up: only a member that re-joined the group ingests them.
    const later = sales('after-wake', 20);
    await produce(env, later.events);
    const caughtUp = await waitForCaughtUp(env, 'clickhouse').then(
      () => true,
      () => false,
    );
    stalled.process.kill('SIGTERM');
    const exit = await stalled.exited;

    const client = createClickHouse(env.config.clickhouse);
    const [takerRow] = await (await client.query({ query: totalsQuery, format: 'JSONEachRow' })).json<
      Record<string, unknown>
    >();
    await client.close();
    const stalledRows = JSON.parse(
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'chdb-query.ts'), stalledDir, totalsQuery],
        { encoding: 'utf8' },
      ),
    ) as Record<string, unknown>[];
    const mine = asTotals(stalledRows[0]);
    const theirs = asTotals(takerRow);
    const produced = first.events.length + later.events.length;
    expect({
      lines: mine.lines + theirs.lines,
      summary_lines: mine.summary_lines + theirs.summary_lines,
      baskets: mine.baskets + theirs.baskets,
      revenue: mine.revenue + theirs.revenue,
    }).toEqual({
      lines: first.lines + later.lines,
      summary_lines: first.lines + later.lines,
      baskets: produced,
      revenue: first.revenue + later.revenue,
    });
    // After the wake-up it re-joined and went on ingesting, rather than crashing its consumer for good.
    expect(caughtUp, stalled.stderr()).toBe(true);
    expect(exit.code, stalled.stderr()).toBe(0);
  }, 240_000);
});
