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

  it('stores a duplicate event_id once', () => {
    const first = saleEvent('s1', 't1', 7);
    const result = store.commitIntake([item(first), item(first)]);
    expect(result.outcomes).toEqual(['stored', 'duplicate']);
    expect(result.faults).toEqual([null, null]);
    expect(store.commitIntake([item(first)]).outcomes).toEqual(['duplicate']);
    expect(store.backlog().events).toBe(1);
  });

  // Regression (issue 15 item 1): UNIQUE (terminal_id, terminal_seq) acknowledged and dropped a new
  // sale that reused a number (reinstalled POS, counter reset, cloned till).
  it('stores a new sale that reuses a terminal_seq under another event_id, and reports seq_reused', () => {
    const first = saleEvent('s1', 't1', 7, [{ sku: 'MILK-1L', quantity: 1 }]);
    const reused = { ...saleEvent('s1', 't1', 7, [{ sku: 'BREAD', quantity: 2 }]), event_id: 'other-id' };
    const result = store.commitIntake([item(first), item(reused)]);
    expect(result.outcomes).toEqual(['stored', 'stored']);
    expect(store.backlog().events).toBe(2);
    expect(result.faults[1]).toMatchObject({
      kind: 'seq_reused',
      terminalId: 't1',
      terminalSeq: 7,
      eventId: 'other-id',
      otherEventId: 's1-t1-7',
      epoch: 1,
    });
    expect(
      store.terminalEpochs().map(({ epoch, firstSeq, highSeq, openedBy }) => ({ epoch, firstSeq, highSeq, openedBy })),
    ).toEqual([
      { epoch: 0, firstSeq: 7, highSeq: 7, openedBy: 'first' },
      { epoch: 1, firstSeq: 7, highSeq: 7, openedBy: 'seq_reused' },
    ]);
    // The new epoch numbers on from the reused seq without further faults.
    expect(store.commitIntake([item({ ...saleEvent('s1', 't1', 8), event_id: 'next-id' })]).faults).toEqual([null]);
  });

  it('does not store a re-send of the same sale under a fresh event_id, and reports content_resent', () => {
    const first = saleEvent('s1', 't1', 7, [{ sku: 'MILK-1L', quantity: 3 }]);
    store.commitIntake([item(shelfCountEvent('s1', 't1', 6, 'MILK-1L', 10)), item(first)]);
    const resent = { ...first, event_id: 'fresh-id' };
    const result = store.commitIntake([item(resent)]);
    expect(result.outcomes).toEqual(['duplicate']);
    expect(result.faults[0]).toMatchObject({ kind: 'content_resent', eventId: 'fresh-id', otherEventId: 's1-t1-7' });
    expect(store.skuState('MILK-1L')?.onHand).toBe(7);
    // Its own re-send is then a plain duplicate, not a second fault.
    expect(store.commitIntake([item(resent)]).faults).toEqual([null]);
  });

  it('opens a new epoch when a counter restarts below what it sent, and fills late gaps in place', () => {
    const at = (minutes: number) => new Date(Date.now() - 60 * 60_000 + minutes * 60_000).toISOString();
    const event = (id: string, seq: number, minutes: number) => ({
      ...saleEvent('s1', 't1', seq),
      event_id: id,
      occurred_at: at(minutes),
    });
    store.commitIntake([item(event('a', 10, 1)), item(event('b', 12, 3))]);
    const late = store.commitIntake([item(event('c', 11, 2))]);
    expect(late.faults).toEqual([null]);
    const restarted = store.commitIntake([item(event('d', 1, 5))]);
    expect(restarted.outcomes).toEqual(['stored']);
    expect(restarted.faults[0]).toMatchObject({ kind: 'seq_restarted', terminalSeq: 1, epoch: 1 });
    expect(store.terminalEpochs().map((epoch) => [epoch.epoch, epoch.firstSeq, epoch.highSeq, epoch.events])).toEqual([
      [0, 10, 12, 3],
      [1, 1, 1, 1],
    ]);
  });

  // Regression (issue 15 item 2): the dedupe keys lived in outbox rows, so once a forwarded row was
  // pruned a terminal's re-send was stored again and moved sku_state twice.
  it('does not store an old re-send again after its outbox row was pruned', () => {
    store.commitIntake([item(shelfCountEvent('s1', 't1', 1, 'MILK-1L', 10))]);
    const sale = saleEvent('s1', 't1', 2, [{ sku: 'MILK-1L', quantity: 3 }]);
    store.commitIntake([item(sale)]);
    store.markSent(
      store.readUnsent(10).map((row) => row.seq),
      new Date(),
    );
    expect(store.pruneSent(new Date(Date.now() + 60_000), 100)).toBe(2);
    expect(store.commitIntake([item(sale)]).outcomes).toEqual(['duplicate']);
    expect(store.skuState('MILK-1L')?.onHand).toBe(7);
    expect(store.backlog().events).toBe(0);
  });

  it('forgets identities past retention, and the oldest early to stay under the byte bound', () => {
    store.commitIntake(Array.from({ length: 3_000 }, (_, n) => item(saleEvent('s1', 't1', n + 1))));
    expect(store.identities().count).toBe(3_000);
    const before = store.pruneIdentities(new Date(Date.now() - 86_400_000), 1e9, 10_000);
    expect(before).toEqual({ expired: 0, evicted: 0, bytes: expect.any(Number) });
    const bounded = store.pruneIdentities(new Date(Date.now() - 86_400_000), Math.floor(before.bytes / 2), 10_000);
    expect(bounded.evicted).toBeGreaterThan(1_000);
    expect(bounded.bytes).toBeLessThanOrEqual(before.bytes / 2);
    expect(store.identities().count).toBe(3_000 - bounded.evicted);
    // The oldest went first: the newest is still recognised.
    expect(store.commitIntake([item(saleEvent('s1', 't1', 3_000))]).outcomes).toEqual(['duplicate']);
    expect(store.pruneIdentities(new Date(Date.now() + 60_000), 1e9, 10_000).expired).toBe(3_000 - bounded.evicted);
    expect(store.identities()).toEqual({ count: 0, oldestReceivedAt: null });
  });

  it('brings a v1 file up with its outbox events as identities', () => {
    store.close();
    const v1File = join(dir, 'v1.db');
    const db = new Database(v1File);
    db.exec(migrations[0] as string);
    db.pragma('user_version = 1');
    const sale = stamp(saleEvent('s1', 't1', 5));
    db.prepare(
      `INSERT INTO outbox (event_id, terminal_id, terminal_seq, topic, key, payload, received_at)
       VALUES (?, 't1', 5, 'sales-transactions', 's1', ?, ?)`,
    ).run(sale.event_id, JSON.stringify(sale), sale.received_at);
    db.close();
    store = openSqliteStore(v1File);
    expect(store.identities().count).toBe(1);
    expect(store.terminalEpochs()).toMatchObject([{ terminalId: 't1', epoch: 0, firstSeq: 5, highSeq: 5, events: 1 }]);
    expect(store.commitIntake([item(saleEvent('s1', 't1', 5))]).outcomes).toEqual(['duplicate']);
    const next = store.commitIntake([item(saleEvent('s1', 't1', 6))]);
    expect(next).toMatchObject({ outcomes: ['stored'], faults: [null] });
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

  it('keeps the rejects table to its newest maxRejects rows and counts the rest as dropped', () => {
    store.close();
    store = openSqliteStore(file, { maxRejects: 10 });
    const reject = (n: number): IntakeItem => ({
      kind: 'reject',
      receivedAt: new Date().toISOString(),
      terminalId: 't1',
      topic: 'tillgate/s1/pos/t1/events',
      eventId: `bad-${n}`,
      field: '(payload)',
      reason: 'payload is not valid JSON',
      code: 'TG_SHARED_CONTRACT_VIOLATION',
      payload: '{',
    });
    store.commitIntake(Array.from({ length: 25 }, (_, n) => reject(n)));
    store.commitIntake([reject(25)], 4);
    expect(store.rejectsTotal()).toBe(10);
    expect(store.recentRejects(1)[0]?.eventId).toBe('bad-25');
    expect(store.dropped()).toEqual({ rejects: 16 + 4, alerts: 0 });
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
      kind: 'will_run_out',
      why: 'the books show 0 on hand: the shelf is probably empty; refill it or order more',
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

  it('prunes the oldest alerts past a row bound but keeps an open SKU latest alert', () => {
    const alertOf = (n: number, sku: string, state: 'raised' | 'cleared'): Alert => ({
      schema: 1,
      alert_id: `a-${n}`,
      store_id: 's1',
      sku,
      state,
      kind: 'will_run_out',
      why: 'the books show 0 on hand: the shelf is probably empty; refill it or order more',
      risk: state === 'raised' ? 0.9 : 0.1,
      threshold: 0.7,
      on_hand: 0,
      model_name: 'stockout',
      model_version: '1',
      trigger_event_id: `e-${n}`,
      at: new Date(Date.now() + n).toISOString(),
    });
    store.commitAlerts([alertOf(0, 'OPEN-SKU', 'raised')], 'restock-alerts');
    store.commitAlerts(
      Array.from({ length: 200 }, (_, n) => alertOf(n + 1, `SKU-${n % 20}`, n % 2 === 0 ? 'raised' : 'cleared')),
      'restock-alerts',
    );
    expect(store.pruneAlerts(100)).toBe(101);
    expect(store.recentAlerts(500)).toHaveLength(100);
    expect(store.currentOpenAlerts().map((alert) => alert.alert_id)).toContain('a-0');
    expect(store.dropped().alerts).toBe(101);
  });

  it('is at the latest schema version and in WAL mode', () => {
    store.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = openSqliteStore(file);
    expect(store.diskUsage()).toMatchObject({ dbBytes: expect.any(Number), walBytes: expect.any(Number) });
    expect(store.diskUsage().liveBytes).toBeGreaterThan(0);
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
