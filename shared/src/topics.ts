// Kafka topic names and the MQTT topic layout, defined once (MISSION.md "Events"). Edge, hub and the
// simulators import these; nothing spells a topic name by hand.

/** Kafka topics at the hub. The first six are the seed design's; the rest carry fleet and ops traffic. */
export const kafkaTopics = {
  salesTransactions: 'sales-transactions',
  inventoryUpdates: 'inventory-updates',
  restockAlerts: 'restock-alerts',
  /** Staff answers to alerts (empty / not_empty / fixed): the observed labels training uses. */
  alertFeedback: 'alert-feedback',
  priceChanges: 'price-changes',
  customerEvents: 'customer-events',
  supplierShipments: 'supplier-shipments',
  edgeHeartbeats: 'edge-heartbeats',
  modelReleases: 'model-releases',
  /** Compacted, keyed by store_id: the hub's latest model order for each store (modelAssignment). */
  modelRollouts: 'model-rollouts',
  deadLetters: 'dead-letters',
  /** End-of-day Z-reports with the edge's reconciliation (zReportForward), keyed by store_id. */
  zReports: 'z-reports',
} as const;

export type KafkaTopic = (typeof kafkaTopics)[keyof typeof kafkaTopics];

export const allKafkaTopics: readonly KafkaTopic[] = Object.values(kafkaTopics);

/**
 * Topic configs that differ from the broker's defaults, applied wherever a topic is created (the hub
 * at start, the test beds, the k8s manifests), so no path creates one wrong.
 */
export const kafkaTopicConfigs: Readonly<Partial<Record<KafkaTopic, Readonly<Record<string, string>>>>> = {
  // Keyed by store: compaction keeps each store's latest model order for as long as the store is offline.
  [kafkaTopics.modelRollouts]: { 'cleanup.policy': 'compact' },
};

/**
 * MQTT topics inside one store. POS terminals publish to `tillgate/<store>/pos/<terminal>/events`;
 * the agent answers rejects on `.../replies`, and publishes alerts retained per SKU so a store display
 * that connects late still sees the current state.
 */
export const mqttTopics = {
  posEvents: (storeId: string, terminalId: string) => `tillgate/${storeId}/pos/${terminalId}/events`,
  posEventsWildcard: (storeId: string) => `tillgate/${storeId}/pos/+/events`,
  posReplies: (storeId: string, terminalId: string) => `tillgate/${storeId}/pos/${terminalId}/replies`,
  /** A terminal's end-of-day Z-report (z_report contract); the result comes back on its replies topic. */
  posZReport: (storeId: string, terminalId: string) => `tillgate/${storeId}/pos/${terminalId}/z-report`,
  posZReportWildcard: (storeId: string) => `tillgate/${storeId}/pos/+/z-report`,
  alert: (storeId: string, sku: string) => `tillgate/${storeId}/alerts/${sku}`,
  alertsWildcard: (storeId: string) => `tillgate/${storeId}/alerts/#`,
  /** A display answers the alert of one SKU here; the agent subscribes to every SKU's. */
  alertFeedback: (storeId: string, sku: string) => `tillgate/${storeId}/alerts/${sku}/feedback`,
  alertFeedbackWildcard: (storeId: string) => `tillgate/${storeId}/alerts/+/feedback`,
} as const;
