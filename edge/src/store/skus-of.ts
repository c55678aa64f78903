import type { StoreEvent } from '@tillgate/shared';

/** The SKUs whose state an event can move; foot traffic moves none. */
export function skusOf(event: StoreEvent): string[] {
  switch (event.type) {
    case 'sale':
    case 'return':
    case 'supplier_delivery':
      return [...new Set(event.lines.map((line) => line.sku))];
    case 'product_scan':
    case 'price_change':
    case 'shelf_count':
    case 'inventory_adjustment':
      return [event.sku];
    case 'foot_traffic':
      return [];
  }
}
