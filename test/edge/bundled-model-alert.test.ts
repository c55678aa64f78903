import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PosEvent } from '@tillgate/shared';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { defaultModelDir } from '../../edge/src/scoring/index.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, publishEvent } from './harness.ts';
import { deliveryEvent, saleEvent } from './pos-events.ts';

// A fresh install must alert out of the box: the agent with no model and no alert levels configured
// (the bundled default model, raising at its manifest's alert_threshold) sees a plain stock-out — an
// SKU selling 20 units a day, topped up every third morning to three days' sales plus two days of
// safety stock, whose twelfth delivery never comes — and raises exactly one alert for it (none in the
// cycles where the delivery came). The events carry their own times over 35 past days; the agent
// scores each at its occurred_at, as training did.
// Training snapshots start after 28 days of history (units_28d is understated before), so the model
// has never seen an SKU's first weeks and may raise there (measured: once, on day 5); the assertion
// covers the alerts after that warm-up, which is what a store running the agent for a month sees.
const sku = 'PASTA-500G';
const DAY = 86_400_000;
const HOUR = 3_600_000;

const warmUpDays = 28;
const historyAgeMs = 40 * DAY;
const scriptStart = () => Math.floor(Date.now() / DAY) * DAY - 36 * DAY;

function script(storeId: string): PosEvent[] {
  const start = scriptStart();
  const at = (ms: number) => new Date(ms).toISOString();
  const events: PosEvent[] = [];
  let seq = 0;
  for (let day = 0; day < 35; day++) {
    const midnight = start + day * DAY;
    if (day % 3 === 0 && day < 33) {
      const quantity = day === 0 ? 100 : 60;
      events.push({ ...deliveryEvent(storeId, 't1', ++seq, sku, quantity), occurred_at: at(midnight + 7 * HOUR) });
    }
    // Ten baskets of two between 08:00 and 17:00: 20 units a day; on day 34 the last one empties the shelf.
    for (let hour = 8; hour < 18; hour++) {
      events.push({
        ...saleEvent(storeId, 't1', ++seq, [{ sku, quantity: 2 }]),
        occurred_at: at(midnight + hour * HOUR),
      });
    }
  }
  return events;
}

describe('the bundled default model alerts out of the box', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let terminal: MqttClient;

  beforeAll(async () => {
    bed = await edgeTestBed('bundled');
    // The script's 35 past days are older than the default age bound (intake.maxAgeMs, 7 days).
    agent = await startAgent(
      bed.config({ model: {}, intake: { maxAgeMs: historyAgeMs }, dedupe: { retentionDays: historyAgeMs / DAY + 1 } }),
    );
    terminal = await connectTerminal(agent.mqttPort ?? 0, 't1');
  });
  afterAll(async () => {
    await terminal?.endAsync();
    await agent?.stop();
    await bed?.cleanup();
  });

  it('raises exactly one alert for an SKU whose delivery does not come', async () => {
    const manifest = JSON.parse(readFileSync(join(defaultModelDir, 'manifest.json'), 'utf8'));
    expect(agent.status().model).toMatchObject({ name: manifest.name, version: manifest.version });
    const events = script(bed.storeId);
    const lastDelivery = events.findLast((e) => e.type === 'supplier_delivery')?.occurred_at ?? '';
    for (const event of events) {
      await publishEvent(terminal, event);
      await agent.alertsIdle();
    }
    const afterWarmUp = new Date(scriptStart() + warmUpDays * DAY).toISOString();
    const all = agent.status().recent_alerts;
    const alerts = all.filter((a) => a.at >= afterWarmUp);
    console.info(
      `[bundled-model-alert] ${manifest.name}@${manifest.version} threshold ${manifest.metrics.alert_threshold}: ${all.map((a) => `${a.state} at on_hand=${a.on_hand} risk ${a.risk.toFixed(3)} ${a.at}`).join('; ')}`,
    );
    expect(alerts.map((a) => [a.sku, a.state])).toEqual([[sku, 'raised']]);
    const [alert] = alerts;
    expect(alert?.threshold).toBeCloseTo(manifest.metrics.alert_threshold, 6);
    expect(alert?.risk).toBeGreaterThanOrEqual(alert?.threshold ?? 1);
    // Raised on the last delivery's stock, within a day of cover (20 units) of the empty shelf.
    expect(alert?.at && alert.at > lastDelivery).toBe(true);
    expect(alert?.on_hand).toBeLessThanOrEqual(20);
  });
});
