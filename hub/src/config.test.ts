import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { localStack } from '@tillgate/shared/local-stack';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.ts';

describe('hub config', () => {
  it('defaults to the local stack with embedded chDB', () => {
    const config = loadHubConfig({ env: {} });
    expect(config.clickhouse.url).toBeUndefined();
    expect(config.kafka.brokers).toEqual(localStack.kafka.brokers);
    expect(config.lake.bucket).toBe('tillgate-lake');
  });

  it('switches to a ClickHouse server with one setting', () => {
    const config = loadHubConfig({ env: { TILLGATE_HUB__CLICKHOUSE__URL: 'http://10.0.0.7:8123' } });
    expect(config.clickhouse.url).toBe('http://10.0.0.7:8123');
  });

  it('names the bad key', () => {
    expect(() => loadHubConfig({ env: { TILLGATE_HUB__LAKE__BUCKET: 'No_Such Bucket' } })).toThrow(
      expect.objectContaining({ key: 'lake.bucket' }),
    );
  });

  it('the CLI exits non-zero naming the key', () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, 'migrate'], {
      env: { ...process.env, TILLGATE_HUB__INGEST__MAX_WAIT_MS: '"soon"' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/TG_SHARED_INVALID_CONFIG \(key: ingest\.maxWaitMs\)/);
  });
});
