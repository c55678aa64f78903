import { randomUUID } from 'node:crypto';
import { localStack } from '@tillgate/shared/local-stack';
import { ModelRegistry, registryErrorCodes, releaseKey } from '@tillgate/shared/registry';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The registry reader against the real s3proxy, with objects laid out as the Python publisher
// (models/tillgate_models/registry.py, tested in models/tests/test_registry.py) writes them.
const s3 = new Client(localStack.s3);
const bucket = `tg-registry-${randomUUID().slice(0, 12)}`;
const registry = new ModelRegistry(s3, bucket);
const manifest = {
  name: 'stockout-risk',
  version: '1.0.0',
  task: 'stockout-risk',
  feature_spec_hash: 'a'.repeat(64),
  features: ['on_hand'],
  sha256: 'b'.repeat(64),
  created_at: '2026-12-01T00:00:00.000Z',
  training_data: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', rows: 1 },
  metrics: {},
};
const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
const put = (key: string, body: Buffer | string) => s3.putObject(bucket, key, body);

describe('ModelRegistry (real s3proxy)', () => {
  beforeAll(async () => {
    await s3.makeBucket(bucket);
    await put(releaseKey('stockout-risk', '1.0.0', 'model'), Buffer.from('0123456789'));
    await put(releaseKey('stockout-risk', '1.0.0', 'manifest'), manifestBytes);
    await put(releaseKey('stockout-risk', '1.0.0', 'signature'), 'c2lnbmF0dXJl\n');
    // An upload cut before its signature: not a release.
    await put(releaseKey('stockout-risk', '1.1.0', 'model'), Buffer.from('partial'));
    await put(
      'models/stockout-risk/channels/canary.json',
      JSON.stringify({
        schema: 1,
        name: 'stockout-risk',
        channel: 'canary',
        version: '1.0.0',
        key_id: 'ed25519-0000000000000000',
        updated_at: '2026-12-01T00:00:00.000Z',
      }),
    );
  });

  afterAll(async () => {
    const keys: string[] = [];
    for await (const item of s3.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
    await s3.removeObjects(bucket, keys);
    await s3.removeBucket(bucket);
  });

  it('lists models, complete versions and channels', async () => {
    expect(await registry.listModels()).toEqual(['stockout-risk']);
    expect(await registry.listVersions('stockout-risk')).toEqual(['1.0.0']);
    expect((await registry.readChannel('stockout-risk', 'canary'))?.version).toBe('1.0.0');
    expect(await registry.readChannel('stockout-risk', 'stable')).toBeNull();
  });

  it('reads a release with the exact signed manifest bytes and serves the model from an offset', async () => {
    const release = await registry.readRelease('stockout-risk', '1.0.0');
    expect(release.manifestBytes.equals(manifestBytes)).toBe(true);
    expect(release).toMatchObject({ signature: 'c2lnbmF0dXJl', modelSize: 10, manifest: { version: '1.0.0' } });
    const chunks: Buffer[] = [];
    for await (const chunk of await registry.openModel('stockout-risk', '1.0.0', 4)) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe('456789');
  });

  it('names an incomplete release as not found', async () => {
    await expect(registry.readRelease('stockout-risk', '1.1.0')).rejects.toMatchObject({
      code: registryErrorCodes.notFound,
      message: expect.stringContaining('no manifest.json'),
    });
  });
});
