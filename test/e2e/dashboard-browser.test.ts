import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '../../hub/src/index.ts';
import { publishEvent } from '../edge/harness.ts';
import { saleEvent, shelfCountEvent } from '../edge/pos-events.ts';
import { launchChromium } from './browser.ts';
import { seedHistory } from './dashboard-history.ts';
import {
  type DashboardStack,
  dashboardPassword,
  onlineWithinSeconds,
  stackClickHouse,
  startDashboardStack,
} from './dashboard-stack.ts';

// The ops dashboard in a real browser (Debian's Chromium via playwright-core) against the real hub,
// 3 real edge agents behind WAN proxies and Kafka: login, the fleet online, a WAN cut turning a store
// red and back, a live alert from a POS sale, a store manager kept to their store, logout. One
// browser and one page for the ops user (a second context for the manager), a screenshot of each page.

// Screenshots go to .run/screenshots (ignored by git) so a test run leaves the tree clean;
// TILLGATE_SCREENSHOTS=docs/screenshots refreshes the committed ones.
const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(root, process.env.TILLGATE_SCREENSHOTS ?? '.run/screenshots');
const row = (page: Page, store: string) => page.locator(`tr[data-store="${store}"]`);

async function login(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.waitForURL(/\/login$/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', dashboardPassword);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/fleet$/);
}

describe('ops dashboard in the browser', () => {
  let stack: DashboardStack;
  let clickhouse: ClickHouseClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    [stack, browser] = await Promise.all([startDashboardStack(), launchChromium()]);
    clickhouse = stackClickHouse(stack);
    await seedHistory(stack, clickhouse);
    page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await clickhouse?.close();
    await stack?.stop();
  });

  it('logs in and lists the 3 demo stores online', async () => {
    await page.goto(`${stack.url}/`);
    await page.waitForURL(/\/login$/);
    await page.screenshot({ path: join(shots, 'login.png') });
    await login(page, stack.url, 'admin');
    for (const store of ['store-001', 'store-002', 'store-003']) {
      await expect.poll(() => row(page, store).getAttribute('data-online'), { timeout: 30_000 }).toBe('true');
    }
    expect(await page.locator('[data-testid=stores-online]').textContent()).toBe('3');
    await page.screenshot({ path: join(shots, 'fleet.png') });
  });

  it('shows store-002 offline with a growing backlog during a WAN cut, online again after it', async () => {
    const agent = stack.agents.get('store-002');
    const terminal = await stack.terminal('store-002');
    stack.chaos.cut('store-002', 'reset');
    const cutAt = Date.now();
    // Sales go on at the store while the link is down; the agent keeps them in its outbox.
    for (let seq = 1; seq <= 20; seq++) await publishEvent(terminal, saleEvent('store-002', 'pos-01', seq));
    await expect.poll(() => row(page, 'store-002').getAttribute('data-online'), { timeout: 20_000 }).toBe('false');
    const redAfterMs = Date.now() - cutAt;
    // Red exactly when the last heartbeat is older than the threshold, never earlier. How fast is the
    // benchmarks' job (BENCH.md: no timed tests); the test logs it.
    const silentFor = Number(await row(page, 'store-002').locator('[data-testid=seen]').getAttribute('data-seconds'));
    expect(silentFor).toBeGreaterThanOrEqual(onlineWithinSeconds);
    expect(agent?.status().backlog.events).toBeGreaterThanOrEqual(20);
    const unsent = async () =>
      Number(await row(page, 'store-002').locator('[data-testid=unsent]').getAttribute('data-seconds'));
    const before = await unsent();
    await expect.poll(unsent, { timeout: 10_000 }).toBeGreaterThan(before + 1);
    expect(await row(page, 'store-001').getAttribute('data-online')).toBe('true');
    await page.screenshot({ path: join(shots, 'fleet-wan-cut.png') });
    console.info(`[dashboard] store-002 red ${redAfterMs} ms after the cut; oldest unsent ≥ ${await unsent()} s`);

    stack.chaos.restore('store-002');
    await expect.poll(() => row(page, 'store-002').getAttribute('data-online'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => agent?.status().backlog.events, { timeout: 30_000 }).toBe(0);
  }, 120_000);

  it('pushes a live alert to the page from the POS sale that empties a shelf', async () => {
    await page.click('a[href="#/alerts"]');
    await expect
      .poll(() => page.locator('[data-testid=stream-state]').textContent(), { timeout: 10_000 })
      .toContain('live');
    const terminal = await stack.terminal('store-001');
    const sku = 'ALERT-SKU-1';
    await publishEvent(terminal, shelfCountEvent('store-001', 'pos-01', 101, sku, 8));
    await publishEvent(terminal, saleEvent('store-001', 'pos-01', 102, [{ sku, quantity: 4 }]));
    const emptying = saleEvent('store-001', 'pos-01', 103, [{ sku, quantity: 4 }]);
    // Pushed, not fetched by a reload: the marker set in this document must survive.
    await page.evaluate(() => Object.assign(window, { beforeTheSale: true }));
    const sentAt = Date.now();
    await publishEvent(terminal, emptying);
    await page.locator(`tr[data-sku="${sku}"]`).first().waitFor({ timeout: 30_000 });
    const latencyMs = Date.now() - sentAt;
    expect(await page.evaluate(() => (window as { beforeTheSale?: boolean }).beforeTheSale)).toBe(true);
    // The 2 s goal is measured by bench/dashboard-alert-push (p50/p99 under a recorded load), not here.
    console.info(`[dashboard] POS sale → alert on the page: ${latencyMs} ms`);
    expect(await page.locator('tbody tr').first().getAttribute('data-sku')).toBe(sku);
    await page.screenshot({ path: join(shots, 'alerts.png') });
  });

  it('shows KPIs, the store drill-down and model performance', async () => {
    await page.click('a[href="#/kpis"]');
    await page.locator('[data-testid=kpi-revenue] .big').first().waitFor();
    await expect.poll(() => page.locator('[data-testid=kpi-revenue] .big').first().textContent()).toMatch(/€/);
    await page.screenshot({ path: join(shots, 'kpis.png') });
    await page.goto(`${stack.url}/#/store/store-001`);
    await page.locator('[data-testid=store-page] .chart canvas').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'store.png'), fullPage: true });
    await page.goto(`${stack.url}/#/store/store-003`);
    await page.locator('[data-testid=no-forecast]').waitFor();
    await page.click('a[href="#/models"]');
    await page.locator('[data-testid=versions]').waitFor();
    await page.screenshot({ path: join(shots, 'models.png'), fullPage: true });
  });

  it('keeps a store manager to their own store, on the page and in the API', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    const manager = await context.newPage();
    try {
      await login(manager, stack.url, 'manager-001');
      await row(manager, 'store-001').waitFor();
      expect(await manager.locator('tbody tr').count()).toBe(1);
      await manager.screenshot({ path: join(shots, 'fleet-store-manager.png') });
      const status = (path: string) => manager.evaluate(async (url) => (await fetch(url)).status, path);
      expect(await status('/api/stores/store-002')).toBe(403);
      expect(await status('/api/fleet?store=store-002')).toBe(403);
      expect(await status('/api/alerts?store=store-002')).toBe(403);
      expect(await status('/api/stores/store-001')).toBe(200);
      await manager.goto(`${stack.url}/#/store/store-002`);
      await expect.poll(() => manager.locator('main').textContent()).toContain('outside your login');
    } finally {
      await context.close();
    }
  });

  it('logs out: back to the login, and the API refuses the old page', async () => {
    await page.goto(`${stack.url}/#/fleet`);
    await page.click('button.logout');
    await page.waitForURL(/\/login$/);
    expect(await page.evaluate(async () => (await fetch('/api/fleet')).status)).toBe(401);
    await page.goto(`${stack.url}/`);
    await page.waitForURL(/\/login$/);
  });
});
