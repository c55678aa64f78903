import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.ts';
import { InvalidConfigError } from './errors.ts';

const schema = z.strictObject({
  storeId: z.string().min(1),
  kafka: z.strictObject({ brokers: z.array(z.string()).min(1), batchSize: z.number().int().positive().default(500) }),
});

const folders: string[] = [];
const writeConfig = (content: string): string => {
  const folder = mkdtempSync(join(tmpdir(), 'tg-config-'));
  folders.push(folder);
  const file = join(folder, 'config.json');
  writeFileSync(file, content);
  return file;
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const errorOf = (load: () => unknown): InvalidConfigError => {
  try {
    load();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
};

describe('loadConfig', () => {
  it('reads the file, applies defaults and environment overrides', () => {
    const file = writeConfig(JSON.stringify({ storeId: 'store-1', kafka: { brokers: ['a:9092'] } }));
    const config = loadConfig(schema, {
      file,
      envPrefix: 'TG_TEST',
      env: { TG_TEST__KAFKA__BATCH_SIZE: '50', TG_TEST__STORE_ID: 'store-9', OTHER__STORE_ID: 'ignored' },
    });
    expect(config).toEqual({ storeId: 'store-9', kafka: { brokers: ['a:9092'], batchSize: 50 } });
  });

  it('reads a <KEY>_FILE override from the file it names (compose and Kubernetes secrets)', () => {
    const secret = writeConfig('store-from-secret\n');
    const config = loadConfig(schema, {
      file: writeConfig(JSON.stringify({ storeId: 'store-1', kafka: { brokers: ['a:9092'] } })),
      envPrefix: 'TG_TEST',
      env: { TG_TEST__STORE_ID_FILE: secret },
    });
    expect(config.storeId).toBe('store-from-secret');
    const missing = errorOf(() =>
      loadConfig(schema, {
        file: writeConfig('{}'),
        envPrefix: 'TG_TEST',
        env: { TG_TEST__STORE_ID_FILE: '/nonexistent/s' },
      }),
    );
    expect(missing.key).toBe('TG_TEST__STORE_ID_FILE');
    expect(missing.message).toContain('/nonexistent/s');
  });

  it('names the nested key and what was expected', () => {
    const file = writeConfig(JSON.stringify({ storeId: 'store-1', kafka: { brokers: ['a:9092'], batchSize: -3 } }));
    const error = errorOf(() => loadConfig(schema, { file, envPrefix: 'TG_TEST', env: {} }));
    expect(error.key).toBe('kafka.batchSize');
    expect(error.message).toContain('"kafka.batchSize"');
    expect(error.code).toBe('TG_SHARED_INVALID_CONFIG');
  });

  it('names a misspelt key', () => {
    const file = writeConfig(JSON.stringify({ storeId: 's', kafka: { brokers: ['a:1'] }, kafak: {} }));
    expect(errorOf(() => loadConfig(schema, { file, envPrefix: 'TG_TEST', env: {} })).key).toBe('kafak');
  });

  it('reports a file that is not JSON, or missing', () => {
    expect(
      errorOf(() => loadConfig(schema, { file: writeConfig('storeId: x'), envPrefix: 'T', env: {} })).message,
    ).toMatch(/not valid JSON/);
    expect(
      errorOf(() => loadConfig(schema, { file: '/nonexistent/tg.json', envPrefix: 'T', env: {} })).message,
    ).toMatch(/cannot read config file \/nonexistent\/tg.json/);
  });
});
