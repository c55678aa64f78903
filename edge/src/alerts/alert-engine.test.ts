import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, createLogger, emptyFeatureState, type SkuFeatureState } from '@tillgate/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyScorer } from '../../../test/edge/tiny-onnx-model.ts';
import type { EdgeStore } from '../store/edge-store.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { AlertEngine } from './alert-engine.ts';

// Hysteresis, cool-down and batching of the alert engine, on a real SQLite file and a real ONNX model
// (risk = sigmoid(2 - on_hand): on_hand 0 -> 0.88, 1 -> 0.73, 2 -> 0.50, 3 -> 0.27, 5 -> 0.05).
const log = createLogger({ name: 'test', level: 'silent' });
const at = (onHand: number): SkuFeatureState => ({ ...emptyFeatureState(), onHand });

describe('AlertEngine', () => {
  let dir: string;
  let store: EdgeStore;
  let scorer: Awaited<ReturnType<typeof tinyScorer>>;
  let published: { topic: string; alert: Alert }[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-alerts-'));
    store = openSqliteStore(join(dir, 'edge.db'));
    scorer = await tinyScorer(-1, 2);
    published = [];
  });
  afterEach(async () => {
    store.close();
    await scorer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const engine = (coolDownMs: number, warmUpMs = 0) =>
    new AlertEngine(
      store,
      scorer,
      { storeId: 's1', raiseAbove: 0.7, clearBelow: 0.4, coolDownMs, warmUpMs },
      async (topic, payload) => {
        published.push({ topic, alert: JSON.parse(payload) });
      },
      () => undefined,
      log,
    );
  // Event time: the engine never reads the wall clock, so each move is a second later on the events' clock.
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const move = async (alerts: AlertEngine, sku: string, onHand: number, occurredAt?: Date) => {
    clock += 1_000;
    const when = (occurredAt ?? new Date(clock)).toISOString();
    alerts.enqueue(new Map([[sku, { state: at(onHand), eventId: `e-${onHand}`, occurredAt: when }]]));
    await alerts.idle();
  };

  it('raises above the high threshold, holds in the gap, clears below the low one', async () => {
    const alerts = engine(0);
    for (const onHand of [10, 1, 2, 0, 2, 3, 4, 1]) await move(alerts, 'MILK-1L', onHand);
    expect(published.map(({ alert }) => [alert.state, alert.on_hand])).toEqual([
      ['raised', 1],
      ['cleared', 3],
      ['raised', 1],
    ]);
    expect(published[0]?.topic).toBe('tillgate/s1/alerts/MILK-1L');
    expect(store.readUnsent(10).map((row) => row.topic)).toEqual([
      'restock-alerts',
      'restock-alerts',
      'restock-alerts',
    ]);
    expect(store.alertState('MILK-1L')?.open).toBe(true);
  });

  it('keeps an alert through the cool-down even when risk falls', async () => {
    const alerts = engine(60_000);
    for (const onHand of [1, 8, 8]) await move(alerts, 'MILK-1L', onHand);
    expect(published.map(({ alert }) => alert.state)).toEqual(['raised']);
  });

  it("measures the cool-down on the events' clock (occurred_at), not the wall clock", async () => {
    const alerts = engine(30 * 60_000);
    const t0 = Date.parse('2026-03-02T09:00:00Z');
    // Milliseconds apart on the wall clock, but 10 and then 40 event minutes after the raise.
    await move(alerts, 'MILK-1L', 1, new Date(t0));
    await move(alerts, 'MILK-1L', 8, new Date(t0 + 10 * 60_000));
    await move(alerts, 'MILK-1L', 8, new Date(t0 + 40 * 60_000));
    expect(published.map(({ alert }) => [alert.state, alert.at])).toEqual([
      ['raised', '2026-03-02T09:00:00.000Z'],
      ['cleared', '2026-03-02T09:40:00.000Z'],
    ]);
  });

  it('raises nothing until warmUpMs of event time after the earliest scored event, also after a restart', async () => {
    const day = 86_400_000;
    const t0 = Date.parse('2026-02-01T09:00:00Z');
    await move(engine(0, 28 * day), 'MILK-1L', 0, new Date(t0));
    await move(engine(0, 28 * day), 'MILK-1L', 0, new Date(t0 + 28 * day - 1));
    expect(published).toEqual([]);
    expect(store.scoredSince()).toBe('2026-02-01T09:00:00.000Z');
    // A new engine on the same store (an agent restart) keeps the warm-up clock: day 28 alerts.
    await move(engine(0, 28 * day), 'MILK-1L', 0, new Date(t0 + 28 * day));
    expect(published.map(({ alert }) => [alert.state, alert.at])).toEqual([['raised', '2026-03-01T09:00:00.000Z']]);
  });

  it('scores a burst of SKUs in one onnxruntime run', async () => {
    const alerts = engine(0);
    const burst = new Map(
      Array.from({ length: 500 }, (_, i) => [
        `SKU-${i}`,
        { state: at(i % 2), eventId: 'e', occurredAt: '2026-03-02T09:00:00Z' },
      ]),
    );
    alerts.enqueue(burst);
    await alerts.idle();
    expect(scorer.runs).toEqual([500]);
    expect(published).toHaveLength(500);
    expect(store.openAlerts()).toBe(500);
  });
});
