import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { featureSpecHash, type ModelManifest, modelManifest, stockoutFeatureNames } from '@tillgate/shared';
import { ModelError, modelErrorCodes } from './errors.ts';

/** The files of one released model (written by models/tillgate_models/release.py). */
export const modelFiles = { model: 'model.onnx', manifest: 'manifest.json', signature: 'manifest.sig' } as const;

export interface VerifiedModel {
  manifest: ModelManifest;
  modelBytes: Uint8Array;
}

/**
 * Checks a model directory before a single byte of it reaches onnxruntime: the manifest's ed25519
 * signature (over the exact manifest.json bytes) against the trusted keys, the ONNX bytes against the
 * manifest's sha256, and the manifest's feature spec hash and feature order against this build's.
 */
export async function verifyModelDir(modelDir: string, trustedPublicKeysPem: string[]): Promise<VerifiedModel> {
  const keys = parseTrustedKeys(trustedPublicKeysPem);
  const [manifestBytes, signatureText, modelBytes] = await Promise.all([
    readModelFile(modelDir, modelFiles.manifest),
    readModelFile(modelDir, modelFiles.signature),
    readModelFile(modelDir, modelFiles.model),
  ]);
  const signature = Buffer.from(signatureText.toString('utf8').trim(), 'base64');
  if (!keys.some((key) => verify(null, manifestBytes, key, signature))) {
    throw new ModelError(
      modelErrorCodes.badSignature,
      `${join(modelDir, modelFiles.signature)} does not verify ${modelFiles.manifest} against any of the ${keys.length} trusted key(s); the model is unsigned, altered or signed by an untrusted key`,
    );
  }
  const manifest = parseManifest(modelDir, manifestBytes);
  const actualSha256 = createHash('sha256').update(modelBytes).digest('hex');
  if (actualSha256 !== manifest.sha256) {
    throw new ModelError(
      modelErrorCodes.hashMismatch,
      `${join(modelDir, modelFiles.model)} hashes to ${actualSha256}, the manifest says ${manifest.sha256}`,
    );
  }
  if (manifest.feature_spec_hash !== featureSpecHash) {
    throw new ModelError(
      modelErrorCodes.featureSpecMismatch,
      `model ${manifest.name}@${manifest.version} was trained on feature spec ${manifest.feature_spec_hash}, this edge computes ${featureSpecHash}; release a model trained on the current shared/features spec`,
    );
  }
  if (manifest.features.join(',') !== stockoutFeatureNames.join(',')) {
    throw new ModelError(
      modelErrorCodes.featureSpecMismatch,
      `model ${manifest.name}@${manifest.version} expects features [${manifest.features.join(', ')}], this edge computes [${stockoutFeatureNames.join(', ')}]`,
    );
  }
  return { manifest, modelBytes };
}

function parseTrustedKeys(pems: string[]): KeyObject[] {
  if (pems.length === 0) throw new ModelError(modelErrorCodes.badTrustedKey, 'no trusted public key given');
  return pems.map((pem, index) => {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (cause) {
      throw new ModelError(modelErrorCodes.badTrustedKey, `trusted key #${index} is not a PEM public key`, { cause });
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new ModelError(
        modelErrorCodes.badTrustedKey,
        `trusted key #${index} is ${key.asymmetricKeyType}, only ed25519 keys are accepted`,
      );
    }
    return key;
  });
}

async function readModelFile(modelDir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(join(modelDir, file));
  } catch (cause) {
    throw new ModelError(modelErrorCodes.missingFile, `cannot read ${join(modelDir, file)}`, { cause });
  }
}

function parseManifest(modelDir: string, bytes: Buffer): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new ModelError(modelErrorCodes.invalidManifest, `${join(modelDir, modelFiles.manifest)} is not JSON`, {
      cause,
    });
  }
  const parsed = modelManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelError(
      modelErrorCodes.invalidManifest,
      `${join(modelDir, modelFiles.manifest)}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  if (parsed.data.task !== 'stockout-risk') {
    throw new ModelError(
      modelErrorCodes.invalidManifest,
      `${join(modelDir, modelFiles.manifest)}: task is ${parsed.data.task}, the stock-out scorer needs stockout-risk`,
    );
  }
  return parsed.data;
}
