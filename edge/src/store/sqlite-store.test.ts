import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, type PosEvent, parsePosPayload, type StoreEvent } from '@tillgate/shared';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saleEvent, shelfCountEvent } from '../../../test/edge/pos-events.ts';
import type { EdgeStore, IntakeItem } from './edge-store.ts';
import { migrations } from './migrations.ts';
import { openSqliteStore } from './sqlite-store.ts';

// Contract of EdgeStore on a real SQLite file on disk (reopened to prove what survives).
const stamp = (event: PosEvent): StoreEvent => {
  const result = parsePosPayload(JSON.stringify(event), new Date());
  if (!result.ok) throw result.violation;
  return result.event;
};
const item = (event: PosEvent): IntakeItem => {
  const stored = stamp(event);
  return { kind: 'event', event: stored, payload: JSON.stringify(stored) };
};

describe('EdgeStore on SQLite', () => {
  let dir: string;
  let file: string;
  let store: EdgeStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-edge-store-'));
    file = join(dir, 'edge.db');
    store = openSqliteStore(file);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends events in order and hands them back unsent in that order after a reopen', () => {
    const result = store.commitIntake([item(saleEvent('s1', 't1', 1)), item(saleEvent('s1', 't1', 2))]);
    expect(result.outcomes).toEqual(['stored', 'stored']);
    store.close();
    store = openSqliteStore(file);
    const rows = store.readUnsent(10);
    expect(rows.map((row) => row.eventId)).toEqual(['s1-t1-1', 's1-t1-2']);
    expect(rows[0]).toMatchObject({ topic: 'sales-transactions', key: 's1' });
    expect(rows[1]?.seq).toBeGreaterThan(rows[0]?.seq ?? Infinity);
  });

  it('stores a duplicate event_id once, and a re-used terminal_seq under a new event_id once', () => {
    const first = saleEvent('s1', 't1', 7);
    const sameSeq = { ...saleEvent('s1', 't1', 7), event_id: 'other-id' };
    const result = store.commitIntake([item(first), item(first), item(sameSeq)]);
    expect(result.outcomes).toEqual(['stored', 'duplicate', 'duplicate']);
    expect(store.commitIntake([item(first)]).outcomes).toEqual(['duplicate']);
    expect(store.backlog().events).toBe(1);
  });

  it('moves on-hand per SKU with each stored event, and not for duplicates', () => {
    store.commitIntake([item(shelfCountEvent('s1', 't1', 1, 'MILK-1L', 10))]);
    const sale = saleEvent('s1', 't1', 2, [{ sku: 'MILK-1L', quantity: 3 }]);
    const result = store.commitIntake([item(sale), item(sale)]);
    expect(result.touched.get('MILK-1L')?.state.onHand).toBe(7);
    expect(store.skuState('MILK-1L')?.onHand).toBe(7);
  });

  it('records rejects without touching the outbox', () => {
    store.commitIntake([
      {
        kind: 'reject',
        receivedAt: new Date().toISOString(),
        terminalId: 't1',
        topic: 'tillgate/s1/pos/t1/events',
        eventId: null,
        field: '(payload)',
        reason: 'payload is not valid JSON',
        code: 'TG_SHARED_CONTRACT_VIOLATION',
        payload: '{',
      },
    ]);
    expect(store.rejectsTotal()).toBe(1);
    expect(store.recentRejects(5)[0]).toMatchObject({ field: '(payload)', terminalId: 't1' });
    expect(store.backlog().events).toBe(0);
  });

  it('marks rows sent, re-queues a seq range for replay, and prunes only sent rows', () => {
    store.commitIntake([1, 2, 3].map((seq) => item(saleEvent('s1', 't1', seq))));
    const rows = store.readUnsent(10);
    store.markSent(
      rows.map((row) => row.seq),
      new Date(),
    );
    expect(store.backlog()).toEqual({ events: 0, oldestReceivedAt: null, oldestSeq: null });
    expect(store.lastForwardAt()).toEqual(expect.stringMatching(/Z$/));
    const [first, second] = rows;
    expect(store.requeue(first?.seq ?? 0, second?.seq ?? 0)).toBe(2);
    expect(store.readUnsent(10).map((row) => row.eventId)).toEqual(['s1-t1-1', 's1-t1-2']);
    expect(store.pruneSent(new Date(Date.now() + 60_000), 100)).toBe(1);
    expect(store.backlog().events).toBe(2);
  });

  it('records an alert with its hysteresis state and outbox row atomically', () => {
    const raised: Alert = {
      schema: 1,
      alert_id: 'a-1',
      store_id: 's1',
      sku: 'MILK-1L',
      state: 'raised',
      risk: 0.9,
      threshold: 0.7,
      on_hand: 0,
      model_name: 'stockout',
      model_version: '1',
      trigger_event_id: 's1-t1-1',
      at: new Date().toISOString(),
    };
    store.commitAlerts([raised], 'restock-alerts');
    expect(store.alertState('MILK-1L')).toMatchObject({ open: true, risk: 0.9 });
    expect(store.openAlerts()).toBe(1);
    expect(store.recentAlerts(5)).toEqual([raised]);
    expect(store.currentOpenAlerts()).toEqual([raised]);
    store.commitAlerts([{ ...raised, alert_id: 'a-2', state: 'cleared', risk: 0.2 }], 'restock-alerts');
    expect(store.currentOpenAlerts()).toEqual([]);
    expect(store.readUnsent(5)[0]).toMatchObject({ eventId: 'a-1', topic: 'restock-alerts' });
  });

  it('is at the latest schema version and in WAL mode', () => {
    store.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = openSqliteStore(file);
    expect(store.usedBytes()).toBeGreaterThan(0);
  });

  it('refuses a file from a newer agent', () => {
    store.close();
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/TG_EDGE_SCHEMA_TOO_NEW|newer agent/);
    store = openSqliteStore(join(dir, 'other.db'));
  });
});
