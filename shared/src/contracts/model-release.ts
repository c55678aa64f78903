import { z } from 'zod';
import { timestamp } from './primitives.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/**
 * The manifest published with every model in the registry. The edge installs a model only when the
 * ONNX bytes hash to `sha256`, the signature verifies against a trusted ed25519 key, and
 * `feature_spec_hash` equals the hash of the feature definition the edge itself computes.
 */
export const modelManifest = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'name must be lower-case kebab-case'),
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/, 'version must be a semver-like string'),
  task: z.enum(['stockout-risk', 'demand-forecast']),
  feature_spec_hash: sha256Hex,
  features: z.array(z.string()).min(1),
  sha256: sha256Hex,
  created_at: timestamp,
  training_data: z.strictObject({ from: timestamp, to: timestamp, rows: z.number().int().nonnegative() }),
  metrics: z.record(z.string(), z.number()),
});
export type ModelManifest = z.infer<typeof modelManifest>;

/** What travels on the model-releases topic: the manifest, where the bytes are, and the signature. */
export const modelRelease = z.strictObject({
  schema: z.literal(1),
  manifest: modelManifest,
  object_key: z.string().min(1),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'signature must be base64'),
  key_id: z.string().min(1).max(64),
  released_at: timestamp,
});
export type ModelRelease = z.infer<typeof modelRelease>;
