import { createClickHouse, type RunningHub, startHub } from '@tillgate/hub';
import { createLogger } from '@tillgate/shared';
import { localStack } from '@tillgate/shared/local-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WanProxy } from '../../simulators/src/wan-proxy.ts';
import { fixedDataset } from './fixed-dataset.ts';
import { type HubTestEnv, hubTestEnv, produce, s3Url, totalLag, waitForCaughtUp } from './hub-test-kit.ts';

// S3 unreachable while the lake consumer runs: nothing is committed past files that were not
// written, and once S3 is back every message is archived exactly once. S3 is reached through a TCP
// proxy that the test cuts (simulators/src/wan-proxy.ts), the real s3proxy behind it.
describe('lake while S3 is down', () => {
  let env: HubTestEnv;
  let proxy: WanProxy;
  let hub: RunningHub | undefined;

  beforeAll(async () => {
    proxy = await WanProxy.start({
      name: 's3',
      listenPort: 0,
      upstreamHost: localStack.s3.endPoint,
      upstreamPort: localStack.s3.port,
    });
    env = hubTestEnv({ lake: { rotateMs: 300, s3: { port: proxy.port } } });
    // Silent: the archiver logs every failed attempt during the outage, as it should in production.
    const logger = createLogger({ name: 'lake-outage-test', level: 'silent' });
    hub = await startHub(env.config, { clickhouse: false, lake: true, api: false }, logger);
  });

  afterAll(async () => {
    await hub?.stop();
    await proxy?.close();
    await env?.cleanup();
  });

  it('holds its offsets during the outage and archives everything once after it', async () => {
    await produce(env, fixedDataset.slice(0, 6));
    await waitForCaughtUp(env, 'lake');

    proxy.cut('reset');
    await produce(env, fixedDataset.slice(6));
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // several rotation ticks fail
    expect(await totalLag(env, 'lake')).toBe(fixedDataset.length - 6);

    proxy.restore();
    await waitForCaughtUp(env, 'lake');
    await hub?.stop();
    hub = undefined;

    const client = createClickHouse({ username: 'default', password: '', dataPath: `${env.dir}/chdb` });
    try {
      const [lake] = await (
        await client.query({
          query: `SELECT count() AS messages, uniqExact(kafka_topic, kafka_partition, kafka_offset) AS offsets
                  FROM s3('${s3Url}/${env.config.lake.bucket}/${env.config.lake.prefix}**/*.parquet',
                          '${localStack.s3.accessKey}', '${localStack.s3.secretKey}', 'Parquet')`,
          format: 'JSONEachRow',
        })
      ).json();
      expect(lake).toEqual({ messages: String(fixedDataset.length), offsets: String(fixedDataset.length) });
    } finally {
      await client.close();
    }
  });
});
