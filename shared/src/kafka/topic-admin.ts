import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { withAdmin } from './admin-session.ts';
import { KafkaConfigError, KafkaError, kafkaErrorCodes } from './errors.ts';
import { retryTransient } from './retry.ts';

export interface TopicLayout {
  /** Keys (store + SKU) keep their order within a partition, so this is fixed once data flows. */
  partitions: number;
  /** 1 on the single-node local stack; 3 on a production cluster. */
  replicationFactor: number;
}

// CommonJS: Node's ESM loader does not see these two among kafkajs' named exports (the export object
// has member expressions before them), so they come off the default export.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** Full topic name -> the configs it must have beyond the broker's defaults (kafkaTopicConfigs). */
export type TopicConfigs = Readonly<Record<string, Readonly<Record<string, string>>>>;

// Kafka's own rule for topic names (org.apache.kafka.common.internals.Topic).
const legalTopicName = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Creates the topics that are missing and checks the ones that exist, and returns once every
 * partition's leader serves requests, so the caller can produce to a topic or read its offsets at
 * once. Safe to call on every start and from several processes at once. An existing topic with
 * another partition count is an error, not something to fix silently: adding partitions moves keys
 * to new partitions and breaks per-SKU order. `configs` are set on creation, and set on a topic that
 * exists without them (a topic an older version created with the delete policy becomes compacted).
 */
export async function ensureTopics(
  client: Kafka,
  topics: readonly string[],
  layout: TopicLayout,
  configs: TopicConfigs = {},
): Promise<void> {
  checkArguments(topics, layout);
  const wanted = [...new Set(topics)];
  try {
    await retryTransient(() =>
      withAdmin(client, 'set up topics', (admin) => createMissing(admin, wanted, layout, configs)),
    );
    await retryTransient(() => withAdmin(client, 'set up topics', (admin) => alignConfigs(admin, wanted, configs)));
    await retryTransient(() =>
      withAdmin(client, 'set up topics', (admin) => checkServing(admin, wanted, layout.partitions)),
    );
  } catch (error) {
    if (error instanceof KafkaError) throw error;
    throw KafkaError.wrap(kafkaErrorCodes.topicSetupFailed, `cannot create topics ${wanted.join(', ')}`, error);
  }
}

async function createMissing(
  admin: Admin,
  topics: readonly string[],
  layout: TopicLayout,
  configs: TopicConfigs,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  // A concurrent creator (another hub process) makes createTopics report "already exists"; the
  // library then returns false, and checkServing still runs on what exists. The library's own
  // waitForLeaders is not used: it gives up on the UNKNOWN_TOPIC_OR_PARTITION a broker answers for a
  // topic it has not loaded yet, and a leader in metadata is not yet a leader that serves.
  await admin.createTopics({
    waitForLeaders: false,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: layout.partitions,
      replicationFactor: layout.replicationFactor,
      configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
}

/**
 * Sets the wanted configs on topics that lack them. kafkajs' alterConfigs replaces a topic's whole
 * set of topic-level overrides, so the ones the topic has are sent along unchanged.
 */
async function alignConfigs(admin: Admin, topics: readonly string[], configs: TopicConfigs): Promise<void> {
  const names = topics.filter((topic) => configs[topic] !== undefined);
  if (names.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const changes = resources.flatMap((resource) => {
    const overrides = new Map(
      resource.configEntries
        .filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG)
        .map((entry) => [entry.configName, entry.configValue]),
    );
    const wanted = Object.entries(configs[resource.resourceName] ?? {});
    if (wanted.every(([name, value]) => overrides.get(name) === value)) return [];
    for (const [name, value] of wanted) overrides.set(name, value);
    return [
      {
        type: ConfigResourceTypes.TOPIC,
        name: resource.resourceName,
        configEntries: [...overrides].map(([name, value]) => ({ name, value })),
      },
    ];
  });
  if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
}

/**
 * Checks the partition counts, then asks every partition's leader for its offsets: that answer is
 * what produce and offset reads need, and it fails with a retriable error until the leader serves.
 */
async function checkServing(admin: Admin, topics: readonly string[], partitions: number): Promise<void> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  for (const { name, partitions: actual } of metadata.topics) {
    if (actual.length !== partitions) {
      throw new KafkaError(
        kafkaErrorCodes.topicMismatch,
        `topic ${name} has ${actual.length} partitions but ${partitions} are configured; ` +
          `set the configured count to ${actual.length}, or repartition on purpose (keys move, per-SKU order breaks)`,
      );
    }
  }
  await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
}

function checkArguments(topics: readonly string[], layout: TopicLayout): void {
  if (topics.length === 0) throw new KafkaConfigError('topics', 'list at least one topic');
  topics.forEach((topic, index) => {
    if (!legalTopicName.test(topic) || topic === '.' || topic === '..') {
      throw new KafkaConfigError(
        `topics.${index}`,
        `"${topic}" is not a legal topic name (1-249 of A-Z a-z 0-9 . _ -)`,
      );
    }
  });
  for (const key of ['partitions', 'replicationFactor'] as const) {
    const value = layout[key];
    if (!Number.isInteger(value) || value < 1 || value > 10_000) {
      throw new KafkaConfigError(key, `expected a whole number from 1 to 10000, got ${value}`);
    }
  }
}
