import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApi, createClickHouse, migrate } from '@tillgate/hub';
import { launchChromium } from '../test/e2e/browser.ts';
import { login, testAuth } from '../test/hub/dashboard-login.ts';
import { median, percentile, round, writeResult } from './lib/result-file.ts';

// The fleet page with 500 stores in ClickHouse (20 heartbeats each, not yet merged: the state just
// after ingest). Three figures per run, interleaved: the bare fleet query through @clickhouse/client
// (the floor), GET /api/fleet over HTTP with a session (auth, scope, flags, JSON), and the page in
// Chromium from navigation to interactive (500 stores counted, first 50 rows rendered).

const STORES = 500;
const BEATS = 20; // heartbeats per store
const RUNS = 5;
const API_CALLS = 40; // per run
const PAGE_LOADS = 4; // per run

const dir = fileURLToPath(new URL(`../.run/bench/dashboard-fleet-${process.pid}`, import.meta.url));
mkdirSync(dir, { recursive: true });
const clickhouse = createClickHouse({ dataPath: `${dir}/chdb`, username: 'default', password: '' });
await migrate(clickhouse);
const now = Date.now();
const ts = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const rows = [];
for (let store = 0; store < STORES; store++) {
  for (let beat = 0; beat < BEATS; beat++) {
    // One store in ten silent for ten minutes, so the page has offline rows to sort and colour.
    const sentAt = now - (store % 10 === 0 ? 600_000 : 0) - (BEATS - beat) * 5_000;
    rows.push({
      store_id: `store-${String(store).padStart(4, '0')}`,
      sent_at: ts(sentAt),
      agent_version: '1.4.2',
      started_at: ts(now - 86_400_000),
      backlog_events: store % 7 === 0 ? 40 + beat : 0,
      oldest_unsent_at: store % 7 === 0 ? ts(sentAt - 30_000) : null,
      last_forward_at: ts(sentAt),
      model_name: 'stockout-risk',
      model_version: store % 5 === 0 ? '1.3.0' : '1.2.0',
      disk_used_bytes: 10_000_000,
      rejects_total: store % 13,
      alerts_open: store % 4,
    });
  }
}
await clickhouse.insert({ table: 'fleet_state', values: rows, format: 'JSONEachRow' });

const auth = await testAuth(dir);
const app = buildApi({ clickhouse, onlineWithinSeconds: 15, lag: async () => [], auth });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const session = await login(app, 'ops');
const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
await context.addCookies([
  { name: session.cookie.split('=')[0] ?? '', value: session.cookie.slice(session.cookie.indexOf('=') + 1), url },
]);
const page = await context.newPage();

// The same SQL fleetState() sends, as a plain query: what the API cannot go below.
const bareQuery = `
SELECT store_id, toUnixTimestamp64Milli(max(sent_at)) AS last_seen_ms, argMax(agent_version, sent_at) AS agent_version,
       argMax(model_name, sent_at) AS model_name, argMax(model_version, sent_at) AS model_version,
       argMax(backlog_events, sent_at) AS backlog_events,
       toUnixTimestamp64Milli(argMax(oldest_unsent_at, sent_at)) AS oldest_unsent_ms,
       argMax(alerts_open, sent_at) AS alerts_open, argMax(rejects_total, sent_at) AS rejects_total
FROM fleet_state WHERE {store:String} = '' OR store_id = {store:String} GROUP BY store_id ORDER BY store_id`;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const bare: number[] = [];
const api: number[] = [];
const pageLoads: number[] = [];
const perRun: Array<{ bare_p99: number; api_p99: number; page_p50: number }> = [];
// Warm-up: first query plans, first page load (compiles the bundle).
for (let i = 0; i < 5; i++) {
  await (await clickhouse.query({ query: bareQuery, query_params: { store: '' }, format: 'JSONEachRow' })).json();
  await fetch(`${url}/api/fleet`, { headers: { cookie: session.cookie } }).then((r) => r.json());
}
await page.goto(`${url}/#/fleet`);
await page.waitForSelector('tr[data-store]');

for (let run = 0; run < RUNS; run++) {
  const runBare: number[] = [];
  const runApi: number[] = [];
  const runPage: number[] = [];
  for (let call = 0; call < API_CALLS; call++) {
    runBare.push(
      await timed(async () =>
        (await clickhouse.query({ query: bareQuery, query_params: { store: '' }, format: 'JSONEachRow' })).json(),
      ),
    );
    runApi.push(
      await timed(async () => {
        const response = await fetch(`${url}/api/fleet`, { headers: { cookie: session.cookie } });
        if (response.status !== 200) throw new Error(`GET /api/fleet: ${response.status}`);
        await response.json();
      }),
    );
  }
  for (let load = 0; load < PAGE_LOADS; load++) {
    await page.goto('about:blank');
    runPage.push(
      await timed(async () => {
        await page.goto(`${url}/#/fleet`);
        await page.waitForFunction(
          (stores) =>
            document.querySelector('[data-testid=stores-total]')?.textContent === String(stores) &&
            document.querySelectorAll('tr[data-store]').length === 50,
          STORES.toLocaleString('en-US'),
        );
      }),
    );
  }
  bare.push(...runBare);
  api.push(...runApi);
  pageLoads.push(...runPage);
  perRun.push({
    bare_p99: round(percentile(runBare, 99), 1),
    api_p99: round(percentile(runApi, 99), 1),
    page_p50: round(median(runPage), 1),
  });
  process.stdout.write(`run ${run + 1}: ${JSON.stringify(perRun.at(-1))}\n`);
}

const apiP99 = percentile(api, 99);
const bareP99 = percentile(bare, 99);
const file = writeResult({
  name: 'dashboard-fleet-500',
  what:
    'GET /api/fleet p99 ms over HTTP with a session, 500 stores x 20 unmerged heartbeats in embedded chDB, all runs pooled; ' +
    'ratio = bare fleet query p99 (same SQL via @clickhouse/client, same run) / ours. page_load_to_interactive: Chromium, ' +
    'navigation to 500 stores counted and the first 50 rows rendered',
  unit: 'ms',
  value: round(apiP99, 1),
  p50: round(median(api), 1),
  p99: round(apiP99, 1),
  max: round(Math.max(...api), 1),
  offered_load: `${API_CALLS} sequential calls per run`,
  baseline: { what: 'bare fleet query p99 ms, same SQL and data, interleaved', value: round(bareP99, 1) },
  bare_query: { p50: round(median(bare), 1), p99: round(bareP99, 1) },
  ratio: round(bareP99 / apiP99),
  page_load_to_interactive: {
    p50: round(median(pageLoads), 1),
    p99: round(percentile(pageLoads, 99), 1),
    max: round(Math.max(...pageLoads), 1),
    loads: pageLoads.length,
    ratio_bare_query_p50_to_page_p50: round(median(bare) / median(pageLoads)),
  },
  runs: RUNS,
  per_run: perRun,
  spread: {
    min: round(Math.min(...perRun.map((run) => run.api_p99)), 1),
    max: round(Math.max(...perRun.map((run) => run.api_p99)), 1),
  },
  command: 'npm run bench -- dashboard-fleet-500',
});
process.stdout.write(`wrote ${file}\n`);
await browser.close();
await app.close();
await clickhouse.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
