import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, type AlertFeedbackMessage, createLogger, kafkaTopics, mqttTopics } from '@tillgate/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedbackIntake } from '../intake/feedback-intake.ts';
import type { EdgeStore } from '../store/edge-store.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { FeedbackSteering } from './feedback-steering.ts';

// Staff answers steering the store's hidden_empty level, through the agent's own FeedbackIntake on a
// real SQLite file: release level 0.9, clear level 0.5, target 0.8 (a refutation weighs 4 confirmations).
const log = createLogger({ name: 'test', level: 'silent' });
const settings = { targetPrecision: 0.8, step: 0.01, maxRelax: 0.05 };
const release = 0.9;
const clear = 0.5;

describe('FeedbackSteering', () => {
  let dir: string;
  let store: EdgeStore;
  let steering: FeedbackSteering;
  let intake: FeedbackIntake;
  let next = 0;

  const open = () => {
    store = openSqliteStore(join(dir, 'edge.db'));
    steering = new FeedbackSteering(store, settings, log);
    intake = new FeedbackIntake(store, 's1', log, steering);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-steering-'));
    open();
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const raise = (kind: Alert['kind'], modelVersion = 'v1', state: Alert['state'] = 'raised'): Alert => {
    const alert: Alert = {
      schema: 1,
      alert_id: `a-${++next}`,
      store_id: 's1',
      sku: 'MILK-1L',
      state,
      kind,
      why: 'no sale for 9 h where about 2 an hour are usual',
      risk: 0.95,
      threshold: release,
      on_hand: 12,
      model_name: 'stockout',
      model_version: modelVersion,
      trigger_event_id: `e-${next}`,
      at: '2026-03-02T10:00:00.000Z',
    };
    store.commitAlerts([alert], kafkaTopics.restockAlerts);
    return alert;
  };
  const answer = (alert: Alert, said: AlertFeedbackMessage['answer'], feedbackId = `f-${alert.alert_id}-${said}`) => {
    const message: AlertFeedbackMessage = {
      schema: 1,
      feedback_id: feedbackId,
      alert_id: alert.alert_id,
      answer: said,
      answered_at: '2026-03-02T10:05:00.000Z',
    };
    return intake.accept(mqttTopics.alertFeedback('s1', alert.sku), 'display', Buffer.from(JSON.stringify(message)));
  };
  const level = () => steering.level(release, clear);

  it('lowers the level a step per shelf found empty, down to maxRelax below the release level', () => {
    expect(level()).toBe(release);
    answer(raise('hidden_empty'), 'empty');
    expect(level()).toBeCloseTo(release * 0.99, 10);
    for (let i = 0; i < 10; i++) answer(raise('hidden_empty'), 'empty');
    expect(level()).toBeCloseTo(release * 0.95, 10);
    expect(store.levelSteering()).toMatchObject({ confirmed: 11, refuted: 0 });
  });

  it('raises it by target / (1 - target) steps per shelf found stocked, never above the release level', () => {
    for (let i = 0; i < 5; i++) answer(raise('hidden_empty'), 'empty');
    answer(raise('hidden_empty'), 'not_empty');
    expect(level()).toBeCloseTo(release * 0.99, 10);
    answer(raise('hidden_empty'), 'not_empty');
    expect(level()).toBe(release);
    expect(store.levelSteering()).toMatchObject({ confirmed: 5, refuted: 2, relax: 0 });
  });

  it('counts only the first answer to a raised hidden_empty alert, and no fixed', () => {
    const alert = raise('hidden_empty');
    expect(answer(alert, 'empty', 'f-1')).toBe('stored');
    expect(answer(alert, 'empty', 'f-2')).toBe('stored'); // a second display: stored and forwarded, not counted
    expect(answer(alert, 'fixed', 'f-3')).toBe('stored');
    answer(raise('will_run_out'), 'empty');
    answer(raise('hidden_empty', 'v1', 'cleared'), 'empty');
    expect(level()).toBeCloseTo(release * 0.99, 10);
    expect(store.levelSteering()).toMatchObject({ confirmed: 1, refuted: 0 });
  });

  it('keeps the lowering over a restart and a model swap, as a share of the new release level', () => {
    for (let i = 0; i < 3; i++) answer(raise('hidden_empty'), 'empty');
    store.close();
    open();
    expect(level()).toBeCloseTo(release * 0.97, 10);
    answer(raise('hidden_empty', 'v2'), 'empty');
    expect(steering.level(0.8, 0.4)).toBeCloseTo(0.8 * 0.96, 10);
  });

  it('never lowers the level below halfway to the clear level', () => {
    const wide = new FeedbackSteering(store, { ...settings, maxRelax: 0.5, step: 0.5 }, log);
    wide.answered(raise('hidden_empty'), 'empty', new Date());
    expect(wide.level(release, clear)).toBe((release + clear) / 2);
  });

  it('does nothing with maxRelax 0', () => {
    const off = new FeedbackSteering(store, { ...settings, maxRelax: 0 }, log);
    off.answered(raise('hidden_empty'), 'empty', new Date());
    expect(off.level(release, clear)).toBe(release);
    expect(store.levelSteering()).toBeNull();
  });
});
