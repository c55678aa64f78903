import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaTopics, type ModelAssignment, modelAssignment } from '@tillgate/shared';
import { KafkaProducer } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import { releaseKey } from '@tillgate/shared/registry';
import { Client } from 'minio';
import type { MqttClient } from 'mqtt';
import type { EdgeConfig, EdgeConfigInput } from '../../edge/src/config.ts';
import { WanProxy } from '../../simulators/src/wan-proxy.ts';
import { connectTerminal, type EdgeTestBed, edgeTestBed, publishEvent } from './harness.ts';
import { saleEvent, shelfCountEvent } from './pos-events.ts';
import { type TinyRelease, testSigningKey, tinyRelease } from './tiny-onnx-model.ts';

// The model updater's test set-up on the real pieces: Kafka (assignments on model-rollouts), s3proxy
// (the registry bucket, presigned URLs), and a WAN proxy per link (Kafka, S3) that tests cut and restore.

export interface StoreUnderTest {
  storeId: string;
  config: EdgeConfig;
  kafkaLink: WanProxy;
  s3Link: WanProxy;
}

export interface UpdaterBed {
  bed: EdgeTestBed;
  s3: Client;
  bucket: string;
  /** The pinned release signer (config model.trustedKeys), besides the bed's own tiny-model key. */
  signer: ReturnType<typeof testSigningKey>;
  release(version: string, options?: Parameters<typeof tinyRelease>[2]): TinyRelease;
  /** One store: its own data dir and WAN links; its config pins the bed's key and `signer`. */
  store(name: string, overrides?: Partial<EdgeConfigInput>): Promise<StoreUnderTest>;
  /** Puts the release's objects into the registry bucket; returns a presigned URL of model.onnx. */
  upload(release: TinyRelease, modelBytes?: Uint8Array): Promise<string>;
  assign(store: StoreUnderTest, release: TinyRelease, fields?: Partial<ModelAssignment>): Promise<ModelAssignment>;
  cleanup(): Promise<void>;
}

export async function updaterBed(name: string): Promise<UpdaterBed> {
  const bed = await edgeTestBed(name);
  const s3 = new Client(localStack.s3);
  const bucket = `tg-${name}-${randomUUID().slice(0, 8)}`;
  await s3.makeBucket(bucket);
  const signer = testSigningKey(bed.dataDir, 'release-signer');
  const producer = new KafkaProducer(bed.kafka);
  await producer.connect();
  const links: WanProxy[] = [];
  const dirs: string[] = [];
  const [kafkaHost, kafkaPort] = (localStack.kafka.brokers[0] as string).split(':');
  const urls = new Map<string, string>();

  const upload = async (release: TinyRelease, modelBytes: Uint8Array = release.model) => {
    await s3.putObject(bucket, releaseKey('tiny-stockout', release.version, 'model'), Buffer.from(modelBytes));
    await s3.putObject(bucket, releaseKey('tiny-stockout', release.version, 'manifest'), release.manifestJson);
    await s3.putObject(bucket, releaseKey('tiny-stockout', release.version, 'signature'), `${release.signature}\n`);
    const url = await s3.presignedGetObject(bucket, releaseKey('tiny-stockout', release.version, 'model'), 3_600);
    urls.set(release.version, url);
    return url;
  };

  return {
    bed,
    s3,
    bucket,
    signer,
    release: (version, options) => tinyRelease(version, signer.privateKey, options),
    async store(storeName, overrides = {}) {
      const storeId = `${storeName}-${randomUUID().slice(0, 6)}`;
      const dataDir = mkdtempSync(join(tmpdir(), `tillgate-updater-${storeName}-`));
      dirs.push(dataDir);
      const kafkaLink = await WanProxy.start({
        name: `${storeId}-kafka`,
        listenPort: 0,
        upstreamHost: kafkaHost as string,
        upstreamPort: Number(kafkaPort),
      });
      const s3Link = await WanProxy.start({
        name: `${storeId}-s3`,
        listenPort: 0,
        upstreamHost: localStack.s3.endPoint,
        upstreamPort: localStack.s3.port,
      });
      links.push(kafkaLink, s3Link);
      const base = bed.config();
      const config = bed.config({
        storeId,
        dataDir,
        model: { dir: base.model.dir, trustedKeys: [...base.model.trustedKeys, signer.pin] },
        ...overrides,
        kafka: {
          ...base.kafka,
          tunnels: { [localStack.kafka.brokers[0] as string]: `127.0.0.1:${kafkaLink.port}` },
          ...overrides.kafka,
        },
        updater: {
          shadowMs: 1_000,
          watchMs: 2_000,
          shadow: { minRows: 10 },
          ...overrides.updater,
          download: {
            retryInitialMs: 100,
            retryMaxMs: 500,
            chunkTimeoutMs: 2_000,
            tunnels: { [`${localStack.s3.endPoint}:${localStack.s3.port}`]: `127.0.0.1:${s3Link.port}` },
          },
        },
      });
      return { storeId, config, kafkaLink, s3Link };
    },
    upload,
    async assign(store, release, fields = {}) {
      const url = urls.get(release.version) ?? (await upload(release));
      const assignment = modelAssignment.parse({
        schema: 1,
        store_id: store.storeId,
        rollout_id: `r-${randomUUID().slice(0, 8)}`,
        action: 'install',
        name: 'tiny-stockout',
        version: release.version,
        key_id: signer.pin.id,
        manifest_json: release.manifestJson,
        signature: release.signature,
        model_url: url,
        model_size: release.model.length,
        rollback: false,
        swap: 'now',
        shadow_ms: null,
        issued_at: new Date().toISOString(),
        ...fields,
      });
      await producer.send([
        {
          topic: bed.topicPrefix + kafkaTopics.modelRollouts,
          key: store.storeId,
          value: JSON.stringify(assignment),
        },
      ]);
      return assignment;
    },
    async cleanup() {
      await producer.disconnect();
      await Promise.all(links.map((link) => link.close()));
      const keys: string[] = [];
      for await (const item of s3.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
      if (keys.length > 0) await s3.removeObjects(bucket, keys);
      await s3.removeBucket(bucket);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await bed.cleanup();
    },
  };
}

/**
 * Live POS traffic for the shadow: `skus` SKUs counted at 1,000 on the shelf, then one sale a tick
 * (risk ~0 under the tiny model), so both models score real rows and the active one alerts on none.
 */
export async function startTraffic(
  mqttPort: number,
  storeId: string,
  skus = 5,
  everyMs = 20,
): Promise<{ stop(): Promise<void>; sent(): number }> {
  const terminal: MqttClient = await connectTerminal(mqttPort, 't1');
  // The agent (the broker) died: fail the publishes waiting for a PUBACK instead of waiting forever.
  terminal.once('close', () => terminal.end(true));
  let seq = 0;
  const names = Array.from({ length: skus }, (_, index) => `SKU-${index + 100}`);
  for (const sku of names) await publishEvent(terminal, shelfCountEvent(storeId, 't1', ++seq, sku, 1_000));
  let running = true;
  const loop = (async () => {
    while (running) {
      const sku = names[seq % names.length] as string;
      await publishEvent(terminal, saleEvent(storeId, 't1', ++seq, [{ sku, quantity: 1 }])).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    sent: () => seq,
    async stop() {
      running = false;
      // Forced: when the agent (the embedded broker) was killed, an unacknowledged QoS 1 publish waits
      // for a reconnect that never comes (reconnectPeriod 0); a forced end fails it, so the loop ends.
      await terminal.endAsync(true);
      await loop;
    },
  };
}
