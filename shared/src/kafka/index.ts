// The Kafka seam (MISSION.md "Decisions"): edge and hub reach Kafka only through this folder, so the
// client library can be replaced here alone. Library types that callers need are re-exported below.
export type {
  Consumer as KafkaConsumer,
  EachBatchPayload,
  EachMessagePayload,
  KafkaMessage as ConsumedMessage,
} from 'kafkajs';
export { createKafkaClient, type KafkaClient, type KafkaLogLevel, type KafkaLogSink } from './client.ts';
export { type ConsumerOptions, createConsumer } from './consumer.ts';
export { KafkaConfigError, KafkaError, type KafkaErrorCode, kafkaErrorCodes } from './errors.ts';
export { fetchGroupOffsets, type PartitionOffsets } from './group-offsets.ts';
export {
  type KafkaConnection,
  type KafkaConnectionInput,
  kafkaConnectionKeys,
  kafkaConnectionSchema,
  kafkaConnectionSchemaWith,
} from './options.ts';
export { KafkaProducer, type OutgoingRecord, type ProducedBatch, type ProducerOptions } from './producer.ts';
export { ensureTopics, type TopicConfigs, type TopicLayout } from './topic-admin.ts';
