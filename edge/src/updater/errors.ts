import { TillgateError } from '@tillgate/shared';

// Why the updater refused, abandoned or rolled back a model. The code is the reason reported in the
// heartbeat and GET /status (`rejected(<code>: <message>)`), so the hub can count and show them.
export const updateErrorCodes = {
  /** A pinned key's file does not hold the key its id names, or is not an ed25519 public key. */
  badTrustPin: 'TG_EDGE_UPDATE_BAD_TRUST_PIN',
  /** The release is signed by a key id the agent config does not pin. */
  untrustedKey: 'TG_EDGE_UPDATE_UNTRUSTED_KEY',
  /** The signature does not verify the manifest bytes with the pinned key. */
  badSignature: 'TG_EDGE_UPDATE_BAD_SIGNATURE',
  /** The manifest is not JSON, breaks modelManifest, or disagrees with the assignment. */
  invalidManifest: 'TG_EDGE_UPDATE_INVALID_MANIFEST',
  /** The model was trained on another feature definition than this edge computes. */
  featureSpecMismatch: 'TG_EDGE_UPDATE_FEATURE_SPEC_MISMATCH',
  /** The manifest's task is not one this edge runs. */
  unknownTask: 'TG_EDGE_UPDATE_UNKNOWN_TASK',
  /** The version is not newer than the active one and the hub did not order a rollback. */
  notNewer: 'TG_EDGE_UPDATE_NOT_NEWER',
  /** The download failed; retried with backoff (canRetry). */
  downloadFailed: 'TG_EDGE_UPDATE_DOWNLOAD_FAILED',
  /** The server sent more or fewer bytes than the manifest's model size. */
  truncated: 'TG_EDGE_UPDATE_TRUNCATED',
  /** The downloaded bytes do not hash to the manifest's sha256. */
  hashMismatch: 'TG_EDGE_UPDATE_HASH_MISMATCH',
  /** onnxruntime could not load the candidate. */
  loadFailed: 'TG_EDGE_UPDATE_LOAD_FAILED',
  /** The candidate failed its shadow run (errors, NaN, distribution or would-be alert rate). */
  shadowFailed: 'TG_EDGE_UPDATE_SHADOW_FAILED',
  /** After the swap the new model failed to score or returned NaN: rolled back. */
  scoringFailed: 'TG_EDGE_UPDATE_SCORING_FAILED',
  /** The hub aborted the rollout before the swap. */
  cancelled: 'TG_EDGE_UPDATE_CANCELLED',
  /** After the swap the new model's alert rate exploded: rolled back. */
  alertRateExploded: 'TG_EDGE_UPDATE_ALERT_RATE_EXPLODED',
  /** The agent kept dying inside the new model's post-swap watch (a model that crashes the process): rolled back. */
  crashLoop: 'TG_EDGE_UPDATE_CRASH_LOOP',
} as const;

export type UpdateErrorCode = (typeof updateErrorCodes)[keyof typeof updateErrorCodes];

export class UpdateError extends TillgateError {
  constructor(code: UpdateErrorCode, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(code, message, options);
  }
}

/** `<code>: <message>`, as the heartbeat carries it (bounded by the contract's 500 characters). */
export const reasonOf = (error: unknown): string => {
  const text =
    error instanceof TillgateError ? `${error.code}: ${error.message}` : `TG_EDGE_UPDATE_FAILED: ${String(error)}`;
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
};
