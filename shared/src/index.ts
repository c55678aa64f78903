export { loadConfig } from './config.ts';
export { type Alert, type AlertKind, alert, alertKinds } from './contracts/alert.ts';
export {
  type AlertFeedback,
  type AlertFeedbackMessage,
  alertFeedback,
  alertFeedbackMessage,
  type FeedbackAnswer,
  feedbackAnswers,
} from './contracts/alert-feedback.ts';
export {
  type BiAccessRecord,
  biAccessRecord,
  type HolidayRecord,
  holidayRecord,
  type ProductRecord,
  productRecord,
  type StoreRecord,
  storeRecord,
} from './contracts/dimension-records.ts';
export { SCHEMA_VERSION } from './contracts/envelope.ts';
export { eventAgeLimits, tooOldReason } from './contracts/event-age.ts';
export { type Heartbeat, heartbeat } from './contracts/heartbeat.ts';
export {
  type AssignedSwapWindow,
  type ModelAssignment,
  type ModelUpdateStatus,
  modelAssignment,
  modelUpdateStates,
  modelUpdateStatus,
} from './contracts/model-assignment.ts';
export { type ModelManifest, type ModelRelease, modelManifest, modelRelease } from './contracts/model-release.ts';
export {
  contractReasonOf,
  defaultPosPayloadLimits,
  type PosPayloadLimits,
  type PosPayloadResult,
  parsePosPayload,
} from './contracts/parse-pos-payload.ts';
export { parseZReportPayload, type ZReportPayloadResult } from './contracts/parse-z-report.ts';
export {
  kafkaKeyFor,
  type PosEvent,
  type PosEventType,
  posEvent,
  type StoreEvent,
  storeEvent,
  topicForEventType,
} from './contracts/pos-event.ts';
export { clockTime, isTimeZone } from './contracts/primitives.ts';
export {
  maxMissingRanges,
  type ReceivedZReport,
  receivedZReport,
  reconciliationOutcomes,
  reconciliationSides,
  type ZReport,
  type ZReportCountedType,
  type ZReportForward,
  type ZReportResult,
  type ZReportTotals,
  zReport,
  zReportCountedTypes,
  zReportForward,
  zReportResult,
} from './contracts/z-report.ts';
export {
  eventAmountCents,
  missingSeqRanges,
  reconcileZReport,
  toCents,
  totalsFromCents,
  type ZReportFindings,
  zReportTotalsOf,
} from './contracts/z-report-reconcile.ts';
export { ContractViolation, InvalidConfigError, sharedErrorCodes, TillgateError } from './errors.ts';
export {
  applyEventToFeatureState,
  applyEventToStoreState,
  emptyFeatureState,
  emptyStoreFeatureState,
  featureSpecHash,
  type SkuFeatureState,
  type StoreFeatureState,
  stockoutFeatureNames,
  stockoutFeatures,
} from './features/index.ts';
export { createLogger, type Logger } from './logger.ts';
export { allKafkaTopics, type KafkaTopic, kafkaTopicConfigs, kafkaTopics, mqttTopics } from './topics.ts';
export { issuePath } from './zod-issue-path.ts';
