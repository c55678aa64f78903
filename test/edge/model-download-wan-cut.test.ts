import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStack } from '@tillgate/shared/local-stack';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttempt } from '../../edge/src/updater/artifact-download.ts';
import type { UpdateError } from '../../edge/src/updater/errors.ts';
import { WanChaos } from '../../simulators/src/wan-chaos.ts';

// Regression (issue 10): the local stack's WAN links carried only Kafka, so `wan cut <store>` left the
// store's model downloads (presigned S3 URLs) running. A store's link now has an object-store leg:
// the edge's real download code, tunnelled through it, stops on a cut and completes after the restore.

const s3Address = `${localStack.s3.endPoint}:${localStack.s3.port}`;
const [brokerHost, brokerPort] = (localStack.kafka.brokers[0] as string).split(':') as [string, string];

describe('wan cut of a store stops its model downloads too', () => {
  const s3 = new Client(localStack.s3);
  const bucket = `tg-wancut-${randomUUID().slice(0, 8)}`;
  const bytes = randomBytes(256 * 1024);
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-wan-download-'));
  let chaos: WanChaos;
  let url: string;

  beforeAll(async () => {
    await s3.makeBucket(bucket);
    await s3.putObject(bucket, 'model.onnx', bytes);
    url = await s3.presignedGetObject(bucket, 'model.onnx', 600);
    chaos = await WanChaos.start({
      stores: { 'store-a': 0 },
      upstreamHost: brokerHost,
      upstreamPort: Number(brokerPort),
      objectStore: { upstreamHost: localStack.s3.endPoint, upstreamPort: localStack.s3.port, stores: { 'store-a': 0 } },
      controlPort: null,
    });
  });
  afterAll(async () => {
    await chaos?.close();
    await s3.removeObject(bucket, 'model.onnx').catch(() => undefined);
    await s3.removeBucket(bucket).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the attempt (retriable) while cut, and downloads the exact bytes after the restore', async () => {
    const file = join(dir, 'model.onnx');
    const options = { tunnels: { [s3Address]: chaos.objectStoreAddressOf('store-a') }, idleTimeoutMs: 2_000 };
    const links = chaos.cut('store-a', 'reset');
    expect(links.map((link) => [link.name, link.state])).toEqual([
      ['store-a', 'reset'],
      ['store-a/object-store', 'reset'],
    ]);
    const error = (await downloadAttempt({ url, size: bytes.length, file }, options).catch((e) => e)) as UpdateError;
    expect(error.canRetry).toBe(true);
    expect(error.message).toMatch(/ECONNRESET|socket hang up|ECONNREFUSED/);
    chaos.restore('store-a');
    await downloadAttempt({ url, size: bytes.length, file }, options);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(chaos.status().find((link) => link.name === 'store-a/object-store')?.bytesDown).toBeGreaterThan(
      bytes.length,
    );
  });
});
