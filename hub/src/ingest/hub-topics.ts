import { type KafkaTopic, kafkaTopics } from '@tillgate/shared';

/** Topics whose messages are StoreEvents (sql/0001-0008). */
export const eventTopics: readonly KafkaTopic[] = [
  kafkaTopics.salesTransactions,
  kafkaTopics.customerEvents,
  kafkaTopics.priceChanges,
  kafkaTopics.inventoryUpdates,
  kafkaTopics.supplierShipments,
];

/**
 * What the ClickHouse consumer group reads: events, alerts, staff feedback, heartbeats (fleet state)
 * and Z-reports (reconciliation).
 */
export const clickhouseTopics: readonly KafkaTopic[] = [
  ...eventTopics,
  kafkaTopics.restockAlerts,
  kafkaTopics.alertFeedback,
  kafkaTopics.edgeHeartbeats,
  kafkaTopics.zReports,
];

/** What the lake archives: the business record (events, alerts, feedback); heartbeats are telemetry. */
export const lakeTopics: readonly KafkaTopic[] = [...eventTopics, kafkaTopics.restockAlerts, kafkaTopics.alertFeedback];

/** Topic names with the configured prefix, and back. */
export class TopicNames {
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  full(topic: KafkaTopic): string {
    return `${this.#prefix}${topic}`;
  }

  /** The contract topic of a prefixed name; undefined for a topic the hub does not know. */
  base(name: string): KafkaTopic | undefined {
    if (!name.startsWith(this.#prefix)) return undefined;
    const topic = name.slice(this.#prefix.length);
    return (Object.values(kafkaTopics) as string[]).includes(topic) ? (topic as KafkaTopic) : undefined;
  }
}
