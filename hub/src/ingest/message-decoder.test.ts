import { readFileSync } from 'node:fs';
import { kafkaTopics } from '@tillgate/shared';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from './message-decoder.ts';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../shared/examples/${name}.json`, import.meta.url), 'utf8'));
const origin = { partition: 2, offset: '41', ingestedAt: '2026-03-01 00:00:00.000' };
const stamped = (name: string) => ({ ...example(name), received_at: '2026-11-25T16:42:11.000Z' });
const decode = (topic: Parameters<typeof decodeMessage>[0], value: unknown) =>
  decodeMessage(topic, Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), origin);

describe('decodeMessage', () => {
  it('flattens a sale into one row per line, times in UTC, with its Kafka origin', () => {
    const decoded = decode(kafkaTopics.salesTransactions, stamped('sale'));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.rows.table).toBe('sales_lines');
    expect(decoded.rows.rows).toHaveLength(2);
    expect(decoded.rows.rows[1]).toMatchObject({
      event_id: 's001-pos01-000000123',
      line_no: 1,
      line_count: 2,
      sku: 'BREAD-WHT',
      promo: true,
      occurred_at: '2026-11-25 16:42:10.120',
      customer_ref: 'loyalty-88123',
      kafka_partition: 2,
      kafka_offset: '41',
    });
  });

  it.each([
    ['return', kafkaTopics.salesTransactions, 'return_lines'],
    ['product_scan', kafkaTopics.customerEvents, 'product_scans'],
    ['foot_traffic', kafkaTopics.customerEvents, 'foot_traffic'],
    ['price_change', kafkaTopics.priceChanges, 'price_changes'],
    ['shelf_count', kafkaTopics.inventoryUpdates, 'shelf_counts'],
    ['inventory_adjustment', kafkaTopics.inventoryUpdates, 'inventory_adjustments'],
    ['supplier_delivery', kafkaTopics.supplierShipments, 'delivery_lines'],
  ] as const)('maps the %s example to %s', (name, topic, table) => {
    const decoded = decode(topic, stamped(name));
    expect(decoded.ok && decoded.rows.table).toBe(table);
  });

  it('rejects a POS event without received_at: only edge-stamped events reach the hub', () => {
    expect(decode(kafkaTopics.salesTransactions, example('sale'))).toEqual({
      ok: false,
      rejection: { field: 'received_at', reason: expect.any(String) },
    });
  });

  it('rejects an event on a topic its type does not belong to', () => {
    expect(decode(kafkaTopics.priceChanges, stamped('sale'))).toEqual({
      ok: false,
      rejection: { field: 'type', reason: 'a sale event belongs on sales-transactions, not on price-changes' },
    });
  });

  // Regression (issue 15 item 3): the hub had no lower bound on occurred_at either.
  it('rejects an event older than the age bound, measured against its received_at', () => {
    expect(
      decode(kafkaTopics.salesTransactions, { ...stamped('sale'), occurred_at: '1970-01-01T00:00:00.000Z' }),
    ).toEqual({
      ok: false,
      rejection: {
        field: 'occurred_at',
        reason: expect.stringMatching(/days before its received_at.*older than 45 days/),
      },
    });
    // A store forwarding after a long WAN outage is not refused: the bound is on the edge's received_at.
    const forwardedLate = {
      ...stamped('sale'),
      occurred_at: '2020-03-01T10:00:00.000Z',
      received_at: '2020-03-01T10:00:01.000Z',
    };
    expect(decode(kafkaTopics.salesTransactions, forwardedLate).ok).toBe(true);
  });

  it('names an unknown field and says why', () => {
    expect(decode(kafkaTopics.salesTransactions, { ...stamped('sale'), coupon: 'X' })).toEqual({
      ok: false,
      rejection: { field: 'coupon', reason: 'is not a field of contract v1' },
    });
  });

  it('rejects empty and non-JSON values', () => {
    expect(decodeMessage(kafkaTopics.salesTransactions, null, origin)).toMatchObject({
      rejection: { field: '(payload)', reason: 'message has no value' },
    });
    expect(decode(kafkaTopics.salesTransactions, 'nope')).toMatchObject({
      rejection: { field: '(payload)', reason: expect.stringMatching(/^not valid JSON/) },
    });
  });
});
