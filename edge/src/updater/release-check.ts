import { createHash, verify } from 'node:crypto';
import {
  featureSpecHash,
  type ModelAssignment,
  type ModelManifest,
  modelManifest,
  stockoutFeatureNames,
} from '@tillgate/shared';
import { UpdateError, updateErrorCodes } from './errors.ts';
import type { TrustedKey } from './trusted-keys.ts';
import { compareVersions } from './version-order.ts';

/** Tasks this edge runs a model for: the stock-out scorer. */
const knownTasks: ReadonlySet<string> = new Set(['stockout-risk']);

/**
 * Everything that can be checked before a byte of the model is downloaded: the signer is pinned, the
 * signature verifies the exact manifest bytes, the manifest is this assignment's and fits this edge
 * (task, feature spec), and it is newer than the active model unless the hub ordered a rollback.
 */
export function checkAssignment(
  assignment: ModelAssignment,
  trusted: ReadonlyMap<string, TrustedKey>,
  active: { name: string; version: string } | null,
): ModelManifest {
  const label = `${assignment.name}@${assignment.version}`;
  const signer = trusted.get(assignment.key_id);
  if (signer === undefined) {
    throw new UpdateError(
      updateErrorCodes.untrustedKey,
      `${label} is signed by key ${assignment.key_id}, which is not pinned in model.trustedKeys (${[...trusted.keys()].join(', ')})`,
    );
  }
  const manifestBytes = Buffer.from(assignment.manifest_json, 'utf8');
  if (!verify(null, manifestBytes, signer.key, Buffer.from(assignment.signature, 'base64'))) {
    throw new UpdateError(
      updateErrorCodes.badSignature,
      `${label}: the signature does not verify the manifest with key ${signer.id}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(assignment.manifest_json);
  } catch (cause) {
    throw new UpdateError(updateErrorCodes.invalidManifest, `${label}: the manifest is not JSON`, { cause });
  }
  const parsed = modelManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UpdateError(
      updateErrorCodes.invalidManifest,
      `${label}: manifest ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const manifest = parsed.data;
  if (manifest.name !== assignment.name || manifest.version !== assignment.version) {
    throw new UpdateError(
      updateErrorCodes.invalidManifest,
      `the assignment names ${label}, its signed manifest is ${manifest.name}@${manifest.version}`,
    );
  }
  if (!knownTasks.has(manifest.task)) {
    throw new UpdateError(
      updateErrorCodes.unknownTask,
      `${label} is a ${manifest.task} model; this edge runs ${[...knownTasks].join(', ')}`,
    );
  }
  if (
    manifest.feature_spec_hash !== featureSpecHash ||
    manifest.features.join(',') !== stockoutFeatureNames.join(',')
  ) {
    throw new UpdateError(
      updateErrorCodes.featureSpecMismatch,
      `${label} was trained on feature spec ${manifest.feature_spec_hash}, this edge computes ${featureSpecHash}`,
    );
  }
  if (active !== null && !assignment.rollback && compareVersions(manifest.version, active.version) <= 0) {
    throw new UpdateError(
      updateErrorCodes.notNewer,
      `${label} is not newer than the active ${active.name}@${active.version} and the hub did not order a rollback`,
    );
  }
  return manifest;
}

/** After the download: the bytes are the ones the signed manifest names. */
export function checkModelBytes(manifest: ModelManifest, bytes: Uint8Array): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== manifest.sha256) {
    throw new UpdateError(
      updateErrorCodes.hashMismatch,
      `${manifest.name}@${manifest.version}: the downloaded model hashes to ${actual}, the signed manifest says ${manifest.sha256}`,
    );
  }
}
