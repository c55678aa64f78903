import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';

/**
 * The tables that materialized views fill from the raw event tables, with the condition that selects
 * a range of UTC days in each. Every view into them is found in system.tables, so a view added by a
 * later migration is rebuilt too; a new target table needs its line here.
 */
const rangeTargets: Record<string, (from: string, to: string) => string> = {
  daily_sales_summary: (from, to) => `day BETWEEN toDate('${from}') AND toDate('${to}')`,
  product_performance: (from, to) => `day BETWEEN toDate('${from}') AND toDate('${to}')`,
  customer_analytics: (from, to) => `day BETWEEN toDate('${from}') AND toDate('${to}')`,
  stock_movements: (from, to) => `toDate(occurred_at) BETWEEN toDate('${from}') AND toDate('${to}')`,
  fact_sales: (from, to) => `date_key BETWEEN toYYYYMMDD(toDate('${from}')) AND toYYYYMMDD(toDate('${to}'))`,
  fact_alerts: (from, to) => `date_key BETWEEN toYYYYMMDD(toDate('${from}')) AND toYYYYMMDD(toDate('${to}'))`,
};

/** Totals over all time (no day in their key), fed by views on a range target: rebuilt whole, afterwards. */
const wholeTargets = ['inventory_by_store'];

const maxDays = 366;

export interface RebuildReport {
  from: string;
  to: string;
  /** Target table -> the views replayed into it. */
  rebuilt: Record<string, string[]>;
}

interface View {
  name: string;
  target: string;
  select: string;
}

/**
 * Recomputes the aggregates of the UTC days `from`..`to` (YYYY-MM-DD, inclusive) from the raw tables,
 * read with FINAL so a duplicate that reached a raw table counts once: deletes the range from each
 * target, replays every view's SELECT into it for the range, then rebuilds the all-time totals fed from
 * those targets. The repair for aggregates that a write double-counted (issue 15 item 5). Idempotent;
 * a run that dies half-way leaves the range partly empty until it is run again. Run it while ingest is
 * stopped or for days no longer receiving events: rows inserted during the rebuild can be missed or
 * counted twice.
 */
export async function rebuildAggregates(client: ClickHouseClient, from: string, to: string): Promise<RebuildReport> {
  checkRange(from, to);
  const views = await materializedViews(client);
  const rebuilt: Record<string, string[]> = {};
  for (const [table, inRange] of Object.entries(rangeTargets)) {
    const feeding = views.filter((view) => view.target === table);
    if (feeding.length === 0) continue;
    await run(client, `ALTER TABLE ${table} DELETE WHERE ${inRange(from, to)}`, { mutations_sync: '2' });
    for (const view of feeding) {
      const columns = await outputColumns(client, view.select);
      await run(
        client,
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM (${view.select}) WHERE ${inRange(from, to)}`,
        { final: '1' },
      );
    }
    rebuilt[table] = feeding.map((view) => view.name);
  }
  for (const table of wholeTargets) {
    const feeding = views.filter((view) => view.target === table);
    if (feeding.length === 0) continue;
    await run(client, `TRUNCATE TABLE ${table}`);
    for (const view of feeding) {
      const columns = await outputColumns(client, view.select);
      await run(
        client,
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM (${view.select})`,
      );
    }
    rebuilt[table] = feeding.map((view) => view.name);
  }
  return { from, to, rebuilt };
}

function checkRange(from: string, to: string): void {
  for (const [flag, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      throw new HubError(hubErrorCodes.usage, `${flag} must be a real date as YYYY-MM-DD, got "${value}"`);
    }
  }
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days < 1) throw new HubError(hubErrorCodes.usage, `--from ${from} is after --to ${to}`);
  if (days > maxDays) {
    throw new HubError(hubErrorCodes.usage, `${days} days asked; rebuild at most ${maxDays} days per run`);
  }
}

async function materializedViews(client: ClickHouseClient): Promise<View[]> {
  const rows = await (
    await client.query({
      query: `SELECT name, create_table_query AS ddl, as_select AS select FROM system.tables
              WHERE database = currentDatabase() AND engine = 'MaterializedView' ORDER BY name`,
      format: 'JSONEachRow',
    })
  ).json<{ name: string; ddl: string; select: string }>();
  return rows.flatMap(({ name, ddl, select }) => {
    const target = /\bTO\s+(?:`?\w+`?\.)?`?(\w+)`?/.exec(ddl)?.[1];
    return target === undefined ? [] : [{ name, target, select }];
  });
}

async function outputColumns(client: ClickHouseClient, select: string): Promise<string[]> {
  const rows = await (await client.query({ query: `DESCRIBE (${select})`, format: 'JSONEachRow' })).json<{
    name: string;
  }>();
  return rows.map((row) => row.name);
}

async function run(client: ClickHouseClient, query: string, settings: Record<string, string> = {}): Promise<void> {
  try {
    await client.command({ query, clickhouse_settings: settings });
  } catch (error) {
    throw new HubError(
      hubErrorCodes.clickhouse,
      `rebuild step failed: ${query.slice(0, 120)}…: ${(error as Error).message}`,
      {
        cause: error,
        canRetry: true,
      },
    );
  }
}
