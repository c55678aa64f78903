import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { localStack } from '@tillgate/shared/local-stack';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Talks to the real s3proxy S3 server of deploy/local through the same `minio` client the lake
// writer uses against MinIO in production, so S3 compatibility is tested where it matters.
const START_COMMAND = 'bash deploy/local/s3proxy.sh start';
const client = new Client(localStack.s3);
const bucket = `tg-test-${randomUUID().slice(0, 13)}`;
const createdKeys: string[] = [];

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function listKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, prefix, true)) {
    if (typeof item.name === 'string') keys.push(item.name);
  }
  return keys.sort();
}

describe('s3proxy S3 (deploy/local/s3proxy.sh)', () => {
  beforeAll(async () => {
    try {
      await client.listBuckets();
    } catch (error) {
      throw new Error(
        `S3 is not answering at ${localStack.s3.endPoint}:${localStack.s3.port} with the local credentials; run \`${START_COMMAND}\``,
        { cause: error },
      );
    }
    await client.makeBucket(bucket);
  });

  afterAll(async () => {
    // Runs even when a test failed half-way, so no test bucket is left behind.
    if (!(await client.bucketExists(bucket).catch(() => false))) return;
    if (createdKeys.length > 0) await client.removeObjects(bucket, createdKeys);
    await client.removeBucket(bucket);
  });

  it('round-trips real bytes through putObject, listObjectsV2, getObject and statObject', async () => {
    // Several MiB, so the body streams through the server in many chunks both ways.
    const body = randomBytes(5 * 1024 * 1024 + 123);
    const keys = ['lake/day=2026-11-25/part-0.parquet', 'lake/day=2026-11-25/part-1.parquet'];
    for (const key of keys) {
      createdKeys.push(key);
      await client.putObject(bucket, key, body, body.length, { 'Content-Type': 'application/octet-stream' });
    }

    expect(await listKeys('lake/')).toEqual(keys);
    const read = await readAll(await client.getObject(bucket, keys[0] ?? ''));
    expect(read.length).toBe(body.length);
    expect(read.equals(body)).toBe(true);
    expect((await client.statObject(bucket, keys[1] ?? '')).size).toBe(body.length);
  });

  it('rejects a request signed with a wrong secret key', async () => {
    const intruder = new Client({ ...localStack.s3, secretKey: 'not-the-local-secret' });
    await expect(intruder.listBuckets()).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(intruder.putObject(bucket, 'intruder.txt', Buffer.from('x'))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(await listKeys('intruder')).toEqual([]);
  });
});
