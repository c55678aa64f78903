import type { Readable } from 'node:stream';
import type { Client } from 'minio';
import { type ModelChannelPointer, modelChannel } from '../contracts/model-channel.ts';
import { type ModelManifest, modelManifest } from '../contracts/model-release.ts';
import { TillgateError } from '../errors.ts';
import { channelKey, type ModelChannel, modelPrefix, modelsRoot, releaseKey, versionOfKey } from './registry-layout.ts';

export const registryErrorCodes = {
  /** The release, channel or object does not exist in the registry bucket. */
  notFound: 'TG_SHARED_REGISTRY_NOT_FOUND',
  /** An object exists but breaks its contract (a manifest or channel pointer that does not parse). */
  invalidObject: 'TG_SHARED_REGISTRY_INVALID_OBJECT',
  /** S3 did not answer; the same call may succeed later. */
  unavailable: 'TG_SHARED_REGISTRY_UNAVAILABLE',
} as const;

export class RegistryError extends TillgateError {}

/** One version as published: the exact signed manifest bytes (the edge verifies those, not a re-encoding). */
export interface RegistryRelease {
  manifest: ModelManifest;
  manifestBytes: Buffer;
  /** base64 ed25519 signature over manifestBytes (manifest.sig, trimmed). */
  signature: string;
  modelKey: string;
  modelSize: number;
}

/**
 * Read side of the model registry (the hub lists and serves releases; an edge with direct S3 access
 * could read the same way). The writer is models/tillgate_models/registry.py. Never writes.
 */
export class ModelRegistry {
  readonly #s3: Client;
  readonly #bucket: string;

  constructor(s3: Client, bucket: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
  }

  /** Model names that have at least one object in the registry. */
  async listModels(): Promise<string[]> {
    const names = new Set<string>();
    await this.#call('list models', async () => {
      for await (const item of this.#s3.listObjectsV2(this.#bucket, modelsRoot, false)) {
        const prefix = (item as { prefix?: string }).prefix;
        const name = prefix?.split('/')[1];
        if (name) names.add(name);
      }
    });
    return [...names].sort();
  }

  /** Complete versions of a model (their manifest.sig exists), in listing order. */
  async listVersions(name: string): Promise<string[]> {
    const versions: string[] = [];
    await this.#call(`list versions of ${name}`, async () => {
      for await (const item of this.#s3.listObjectsV2(this.#bucket, modelPrefix(name), true)) {
        const version = typeof item.name === 'string' ? versionOfKey(name, item.name) : null;
        if (version !== null) versions.push(version);
      }
    });
    return versions;
  }

  /** The channel pointer, or null when the channel was never set. */
  async readChannel(name: string, channel: ModelChannel): Promise<ModelChannelPointer | null> {
    const key = channelKey(name, channel);
    const bytes = await this.#readOrNull(key);
    if (bytes === null) return null;
    const parsed = modelChannel.safeParse(parseJson(key, bytes));
    if (!parsed.success) throw invalid(key, parsed.error.issues[0]?.message);
    return parsed.data;
  }

  async readRelease(name: string, version: string): Promise<RegistryRelease> {
    const manifestKey = releaseKey(name, version, 'manifest');
    const [manifestBytes, signatureBytes] = await Promise.all([
      this.#readOrNull(manifestKey),
      this.#readOrNull(releaseKey(name, version, 'signature')),
    ]);
    if (manifestBytes === null || signatureBytes === null) {
      throw new RegistryError(
        registryErrorCodes.notFound,
        `${name}@${version} is not a complete release in bucket ${this.#bucket} (no ${manifestBytes === null ? 'manifest.json' : 'manifest.sig'}); publish it with tillgate_models.registry`,
      );
    }
    const parsed = modelManifest.safeParse(parseJson(manifestKey, manifestBytes));
    if (!parsed.success) throw invalid(manifestKey, parsed.error.issues[0]?.message);
    const modelKey = releaseKey(name, version, 'model');
    const stat = await this.#call(`stat ${modelKey}`, () => this.#s3.statObject(this.#bucket, modelKey));
    return {
      manifest: parsed.data,
      manifestBytes,
      signature: signatureBytes.toString('utf8').trim(),
      modelKey,
      modelSize: stat.size,
    };
  }

  /** The model bytes from `offset` on (a resumed download asks for the rest only). */
  openModel(name: string, version: string, offset = 0): Promise<Readable> {
    const key = releaseKey(name, version, 'model');
    return this.#call(`read ${key}`, () =>
      offset > 0 ? this.#s3.getPartialObject(this.#bucket, key, offset) : this.#s3.getObject(this.#bucket, key),
    );
  }

  async #readOrNull(key: string): Promise<Buffer | null> {
    try {
      const stream = await this.#s3.getObject(this.#bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw unavailable(`read ${key}`, error);
    }
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new RegistryError(registryErrorCodes.notFound, `${what}: no such object in bucket ${this.#bucket}`, {
          cause: error,
        });
      }
      throw unavailable(what, error);
    }
  }
}

const isNoSuchKey = (error: unknown): boolean =>
  ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes((error as { code?: string }).code ?? '');

const unavailable = (what: string, cause: unknown) =>
  new RegistryError(registryErrorCodes.unavailable, `model registry: ${what} failed: ${(cause as Error).message}`, {
    cause,
    canRetry: true,
  });

const invalid = (key: string, message: string | undefined) =>
  new RegistryError(registryErrorCodes.invalidObject, `${key}: ${message ?? 'breaks its contract'}`);

function parseJson(key: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new RegistryError(registryErrorCodes.invalidObject, `${key} is not JSON`, { cause });
  }
}
