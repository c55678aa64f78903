import type { StoreEvent } from '@tillgate/shared';

// A small store history whose aggregates are worked out by hand below (see aggregates.test.ts).
// Store s1, EUR; SKUs ALPHA (10.00) and BETA (5.50). The last event is late: it happened on day 1
// but reaches the hub after day 2's events, and before day 1's shelf count.

let seq = 0;
const envelope = (eventId: string, occurredAt: string) => ({
  schema: 1 as const,
  event_id: eventId,
  store_id: 's1',
  terminal_id: 'pos-1',
  terminal_seq: ++seq,
  occurred_at: occurredAt,
  received_at: occurredAt,
});

const sale = (id: string, at: string, lines: [string, number, number, boolean][], customer?: string): StoreEvent => ({
  ...envelope(id, at),
  type: 'sale',
  currency: 'EUR',
  lines: lines.map(([sku, quantity, unit_price, promo]) => ({ sku, quantity, unit_price, promo })),
  ...(customer === undefined ? {} : { customer_ref: customer }),
});

export const fixedDataset: StoreEvent[] = [
  {
    ...envelope('d1', '2026-03-01T08:00:00.000Z'),
    type: 'supplier_delivery',
    delivery_id: 'del-1',
    supplier_id: 'sup-1',
    lines: [
      { sku: 'ALPHA', quantity: 20 },
      { sku: 'BETA', quantity: 10 },
    ],
  },
  sale(
    'e1',
    '2026-03-02T09:00:00.000Z',
    [
      ['ALPHA', 2, 10, false],
      ['BETA', 1, 5.5, true],
    ],
    'c1',
  ),
  sale('e2', '2026-03-02T10:00:00.000+01:00', [['ALPHA', 1, 10, false]], 'c2'),
  { ...envelope('f1', '2026-03-02T18:00:00.000Z'), type: 'foot_traffic', period_seconds: 3600, visitors: 40 },
  { ...envelope('c-alpha', '2026-03-02T20:00:00.000Z'), type: 'shelf_count', sku: 'ALPHA', counted_quantity: 16 },
  sale('e3', '2026-03-03T11:00:00.000Z', [['BETA', 3, 5.5, false]], 'c1'),
  {
    ...envelope('r1', '2026-03-03T12:00:00.000Z'),
    type: 'return',
    currency: 'EUR',
    original_event_id: 'e1',
    lines: [{ sku: 'ALPHA', quantity: 1, unit_price: 10, reason: 'unwanted', restock: true }],
  },
  {
    ...envelope('r2', '2026-03-03T12:30:00.000Z'),
    type: 'return',
    currency: 'EUR',
    lines: [{ sku: 'BETA', quantity: 1, unit_price: 5.5, reason: 'defective', restock: false }],
  },
  {
    ...envelope('a1', '2026-03-03T13:00:00.000Z'),
    type: 'inventory_adjustment',
    sku: 'BETA',
    quantity_delta: -2,
    reason: 'damage',
  },
  { ...envelope('f2', '2026-03-03T18:00:00.000Z'), type: 'foot_traffic', period_seconds: 3600, visitors: 25 },
  { ...envelope('p1', '2026-03-03T14:00:00.000Z'), type: 'product_scan', sku: 'ALPHA', purpose: 'price_check' },
  // Late: happened on day 1 at 15:00, before the 20:00 count of ALPHA.
  sale('e4', '2026-03-02T15:00:00.000Z', [['ALPHA', 1, 10, false]]),
];

/** Copies an edge re-sends after a lost acknowledgement: same event, new Kafka offsets. */
export const resentCopies: StoreEvent[] = fixedDataset.filter((event) => ['e1', 'r1', 'a1'].includes(event.event_id));
