import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClickHouseClient, createClickHouse, importDimensions, migrate, refreshBi } from '@tillgate/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDimensionFiles } from './bi-fixed-dataset.ts';

// import-dimensions on bad input: a clear error naming the file, line and field, and nothing changed
// (every file is parsed before any table is touched, and each table is swapped whole).

describe('import-dimensions', () => {
  let dir: string;
  let client: ClickHouseClient;
  const count = async (table: string) =>
    (
      await (
        await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
      ).json<{ n: string }>()
    )[0]?.n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-import-'));
    client = createClickHouse({ dataPath: join(dir, 'chdb') } as Parameters<typeof createClickHouse>[0]);
    await migrate(client);
    await importDimensions(client, writeDimensionFiles(dir));
  });

  afterAll(async () => {
    await client?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const goodStore = JSON.stringify({
    store_id: 's7',
    store_name: 'Store 7',
    region: 'west',
    format: 'supermarket',
    size_sqm: 900,
    time_zone: 'Europe/Paris',
    opens_at: '08:00',
    closes_at: '20:00',
    daily_sales_target: 10,
  });

  it('a bad field names file, line and key, and neither file is imported', async () => {
    const stores = file('stores-ok.jsonl', [goodStore]);
    const catalog = file('catalog-bad.jsonl', [
      '# exported 2026-03-01',
      '{"sku":"X","product_name":"x","category":"c","department":"d","price":-1,"supplier_id":"S","lead_time_days":1,"pack_size":1}',
    ]);
    await expect(importDimensions(client, { stores, catalog })).rejects.toThrow(`${catalog}:2: price:`);
    expect(await count('store_registry')).toBe('2');
    expect(await count('product_catalog')).toBe('4');
  });

  it('a duplicate key, a non-JSON line and an empty file are refused by name', async () => {
    await expect(importDimensions(client, { stores: file('dup.jsonl', [goodStore, goodStore]) })).rejects.toThrow(
      's7 appears twice',
    );
    await expect(importDimensions(client, { stores: file('junk.jsonl', ['store_id,region']) })).rejects.toThrow(
      'junk.jsonl:1: not a JSON object',
    );
    await expect(importDimensions(client, { holidays: file('empty.jsonl', ['']) })).rejects.toThrow('no records');
    await expect(
      importDimensions(client, { access: file('access.jsonl', ['{"upn":"a@b.example","access_level":"store"}']) }),
    ).rejects.toThrow('access.jsonl:1: store_id');
    expect(await count('store_registry')).toBe('2');
    expect(await count('bi_user_access')).toBe('3');
  });

  it('imports the published examples (written by the simulator), then a rebuild makes them dimensions', async () => {
    const examples = (name: string) =>
      fileURLToPath(new URL(`../../shared/examples/dimensions/${name}`, import.meta.url));
    expect(
      await importDimensions(client, {
        stores: examples('stores.jsonl'),
        catalog: examples('catalog.jsonl'),
        holidays: examples('holidays.jsonl'),
        access: examples('access.jsonl'),
      }),
    ).toEqual({ stores: 3, catalog: 30, holidays: 14, access: 3 });
    await refreshBi(client, { now: new Date('2026-03-01T00:00:00Z'), inventoryDays: 1, forecastDays: 1 });
    expect(await count('dim_store')).toBe('3');
    expect(await count('dim_product')).toBe('30');
  });

  it('a good file replaces its table whole', async () => {
    expect(await importDimensions(client, { stores: file('stores-new.jsonl', [goodStore]) })).toEqual({ stores: 1 });
    expect(await count('store_registry')).toBe('1');
  });
});
