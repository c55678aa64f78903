import { z } from 'zod';
import { type KafkaTopic, kafkaTopics } from '../topics.ts';
import { receivedAt } from './envelope.ts';
import { footTrafficEvent } from './events/foot-traffic.ts';
import { inventoryAdjustmentEvent } from './events/inventory-adjustment.ts';
import { priceChangeEvent } from './events/price-change.ts';
import { productScanEvent } from './events/product-scan.ts';
import { returnEvent } from './events/return.ts';
import { saleEvent } from './events/sale.ts';
import { shelfCountEvent } from './events/shelf-count.ts';
import { supplierDeliveryEvent } from './events/supplier-delivery.ts';

/** What a POS terminal publishes: one of the v1 event types, without `received_at`. */
export const posEvent = z.discriminatedUnion(
  'type',
  [
    saleEvent,
    returnEvent,
    productScanEvent,
    priceChangeEvent,
    shelfCountEvent,
    inventoryAdjustmentEvent,
    supplierDeliveryEvent,
    footTrafficEvent,
  ],
  {
    error:
      'type must be one of sale, return, product_scan, price_change, shelf_count, inventory_adjustment, supplier_delivery, foot_traffic',
  },
);
export type PosEvent = z.infer<typeof posEvent>;
export type PosEventType = PosEvent['type'];

/** What the edge stores and forwards: the POS event stamped with the edge's clock. */
export const storeEvent = z.discriminatedUnion('type', [
  saleEvent.extend(receivedAt),
  returnEvent.extend(receivedAt),
  productScanEvent.extend(receivedAt),
  priceChangeEvent.extend(receivedAt),
  shelfCountEvent.extend(receivedAt),
  inventoryAdjustmentEvent.extend(receivedAt),
  supplierDeliveryEvent.extend(receivedAt),
  footTrafficEvent.extend(receivedAt),
]);
export type StoreEvent = z.infer<typeof storeEvent>;

/** Which hub topic each event type travels on (the seed design's topics). */
export const topicForEventType: Record<PosEventType, KafkaTopic> = {
  sale: kafkaTopics.salesTransactions,
  return: kafkaTopics.salesTransactions,
  product_scan: kafkaTopics.customerEvents,
  foot_traffic: kafkaTopics.customerEvents,
  price_change: kafkaTopics.priceChanges,
  shelf_count: kafkaTopics.inventoryUpdates,
  inventory_adjustment: kafkaTopics.inventoryUpdates,
  supplier_delivery: kafkaTopics.supplierShipments,
};

/**
 * Kafka key: the store. Every event of a store lands on one partition in order, which keeps each of
 * its SKUs in order (a basket touches many SKUs, so a per-SKU key would split it) while 50-2,000
 * stores still spread over the partitions.
 */
export const kafkaKeyFor = (event: Pick<StoreEvent, 'store_id'>): string => event.store_id;
