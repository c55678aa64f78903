import type { PosEvent } from '@tillgate/shared';

// Valid POS events for tests and benchmarks, shaped like shared/examples/*.json.

export function saleEvent(
  storeId: string,
  terminalId: string,
  seq: number,
  lines: { sku: string; quantity: number }[] = [{ sku: 'MILK-1L', quantity: 1 }],
): PosEvent {
  return {
    schema: 1,
    type: 'sale',
    event_id: `${storeId}-${terminalId}-${seq}`,
    store_id: storeId,
    terminal_id: terminalId,
    terminal_seq: seq,
    occurred_at: new Date().toISOString(),
    currency: 'EUR',
    lines: lines.map((line) => ({ ...line, unit_price: 1.19, promo: false })),
  };
}

export function shelfCountEvent(
  storeId: string,
  terminalId: string,
  seq: number,
  sku: string,
  counted: number,
): PosEvent {
  return {
    schema: 1,
    type: 'shelf_count',
    event_id: `${storeId}-${terminalId}-${seq}`,
    store_id: storeId,
    terminal_id: terminalId,
    terminal_seq: seq,
    occurred_at: new Date().toISOString(),
    sku,
    counted_quantity: counted,
  };
}

export function deliveryEvent(
  storeId: string,
  terminalId: string,
  seq: number,
  sku: string,
  quantity: number,
): PosEvent {
  return {
    schema: 1,
    type: 'supplier_delivery',
    event_id: `${storeId}-${terminalId}-${seq}`,
    store_id: storeId,
    terminal_id: terminalId,
    terminal_seq: seq,
    occurred_at: new Date().toISOString(),
    delivery_id: `d-${seq}`,
    supplier_id: 'sup-1',
    lines: [{ sku, quantity }],
  };
}
