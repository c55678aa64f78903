import type { StoreEvent } from '@tillgate/shared';

// The one place the agent learns how an event moves a SKU's state. Until the shared feature
// definition (shared/src/features) lands this keeps on-hand only; then these become re-exports.

export interface SkuFeatureState {
  onHand: number;
  dailyUnits: Record<string, number>;
  lastSaleAt: string | null;
  lastDeliveryAt: string | null;
  price: number | null;
  referencePrice: number | null;
  promoActive: boolean;
}

export const emptyFeatureState = (): SkuFeatureState => ({
  onHand: 0,
  dailyUnits: {},
  lastSaleAt: null,
  lastDeliveryAt: null,
  price: null,
  referencePrice: null,
  promoActive: false,
});

export function applyEventToFeatureState(state: SkuFeatureState, event: StoreEvent, sku: string): SkuFeatureState {
  const next = { ...state };
  switch (event.type) {
    case 'sale':
      for (const line of event.lines) if (line.sku === sku) next.onHand -= line.quantity;
      next.lastSaleAt = event.occurred_at;
      break;
    case 'return':
      for (const line of event.lines) if (line.sku === sku && line.restock) next.onHand += line.quantity;
      break;
    case 'supplier_delivery':
      for (const line of event.lines) if (line.sku === sku) next.onHand += line.quantity;
      next.lastDeliveryAt = event.occurred_at;
      break;
    case 'shelf_count':
      next.onHand = event.counted_quantity;
      break;
    case 'inventory_adjustment':
      next.onHand += event.quantity_delta;
      break;
    default:
      break;
  }
  return next;
}
