import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, type ClickHouseClientConfigOptions, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { HubConfig } from './config.ts';

export type { ClickHouseClient } from '@clickhouse/client';

/**
 * Settings pinned so chDB and a server answer alike: a server quotes 64-bit integers in JSON by default
 * and chDB does not; the hub's readers expect strings (no precision loss past 2^53).
 */
const sharedSettings = { output_format_json_quote_64bit_integers: 1 } as const;

/**
 * The one place a ClickHouse client is made: a server when `clickhouse.url` is set, otherwise chDB
 * in this process at `clickhouse.dataPath`. Everything else in the hub is the same code either way.
 */
export function createClickHouse(config: HubConfig['clickhouse']): ClickHouseClient {
  if (config.url !== undefined) {
    return createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      clickhouse_settings: sharedSettings,
    });
  }
  const path = resolve(config.dataPath);
  mkdirSync(path, { recursive: true });
  // chdb bundles @clickhouse/client-common 1.23.0 and the client 1.23.1 re-declares the same interface;
  // the shapes match at run time (the platform test proves it), only the nominal types differ.
  const connection = createChdbConnection({ path }) as unknown as ClickHouseClientConfigOptions['connection'];
  return createClient({ connection, clickhouse_settings: sharedSettings });
}
