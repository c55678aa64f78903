import { TillgateError } from '@tillgate/shared';

// Why the edge refused or could not run a model. None of these heal by retrying the same files: a
// model is replaced by a new release, so canRetry is always false.
export const modelErrorCodes = {
  /** model.onnx, manifest.json or manifest.sig is missing or unreadable in the model directory. */
  missingFile: 'TG_EDGE_MODEL_MISSING_FILE',
  /** No trusted public key was given, or one of them is not an ed25519 PEM key. */
  badTrustedKey: 'TG_EDGE_MODEL_BAD_TRUSTED_KEY',
  /** manifest.sig does not verify against any trusted key (unsigned, tampered or foreign model). */
  badSignature: 'TG_EDGE_MODEL_BAD_SIGNATURE',
  /** manifest.json is not a valid model manifest (shared modelManifest) or is for another task. */
  invalidManifest: 'TG_EDGE_MODEL_INVALID_MANIFEST',
  /** model.onnx does not hash to the manifest's sha256. */
  hashMismatch: 'TG_EDGE_MODEL_HASH_MISMATCH',
  /** The model was trained on another feature definition than the one this edge computes. */
  featureSpecMismatch: 'TG_EDGE_MODEL_FEATURE_SPEC_MISMATCH',
  /** onnxruntime could not load the model, or its inputs/outputs are not the scorer's contract. */
  loadFailed: 'TG_EDGE_MODEL_LOAD_FAILED',
  /** A row handed to scoreBatch has the wrong number of features. */
  badRow: 'TG_EDGE_MODEL_BAD_ROW',
  /** scoreBatch was called after close(). */
  closed: 'TG_EDGE_MODEL_CLOSED',
} as const;

export type ModelErrorCode = (typeof modelErrorCodes)[keyof typeof modelErrorCodes];

export class ModelError extends TillgateError {
  constructor(code: ModelErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, canRetry: false });
  }
}
