import { readFileSync } from 'node:fs';
import { biAccessRecord, holidayRecord, issuePath, productRecord, storeRecord } from '@tillgate/shared';
import type { z } from 'zod';
import type { ClickHouseClient } from '../clickhouse.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { surrogateKey } from './surrogate-key.ts';
import { stageTable, swapStaged } from './table-swap.ts';

// `tillgate-hub import-dimensions`: the operator's way to load the store registry, the catalog,
// holidays and Power BI viewer grants (JSON Lines, one record per line, contracts in shared/). Every
// line of every file is checked before anything is written, so a bad file changes nothing; each file
// then replaces its table whole.

export interface DimensionFiles {
  stores?: string;
  catalog?: string;
  holidays?: string;
  access?: string;
}

interface Target<T> {
  table: string;
  schema: z.ZodType<T>;
  /** The record's identity: a second line with the same one is an error, not a silent overwrite. */
  identity: (record: T) => string;
  row: (record: T, importedAt: number) => Record<string, unknown>;
}

const targets = {
  stores: {
    table: 'store_registry',
    schema: storeRecord,
    identity: (record) => record.store_id,
    row: (record, importedAt) => ({ ...record, imported_at: importedAt }),
  } satisfies Target<z.infer<typeof storeRecord>>,
  catalog: {
    table: 'product_catalog',
    schema: productRecord,
    identity: (record) => record.sku,
    row: (record, importedAt) => ({ ...record, imported_at: importedAt }),
  } satisfies Target<z.infer<typeof productRecord>>,
  holidays: {
    table: 'calendar_holidays',
    schema: holidayRecord,
    identity: (record) => record.date,
    row: (record) => record,
  } satisfies Target<z.infer<typeof holidayRecord>>,
  access: {
    table: 'bi_user_access',
    schema: biAccessRecord,
    identity: (record) => JSON.stringify(record),
    row: (record) => ({ store_id: '', region: '', ...record }),
  } satisfies Target<z.infer<typeof biAccessRecord>>,
} as const;

function parseDimensionFile<T>(file: string, target: Target<T>): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HubError(hubErrorCodes.dimensionImport, `${file}: cannot read it (${(error as Error).message})`, {
      cause: error,
    });
  }
  const seen = new Set<string>();
  const records: T[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const where = `${file}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new HubError(hubErrorCodes.dimensionImport, `${where}: not a JSON object; write one record per line`);
    }
    const parsed = target.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HubError(
        hubErrorCodes.dimensionImport,
        `${where}: ${issue === undefined ? 'invalid' : `${issuePath(issue, 'record')}: ${issue.message}`}`,
      );
    }
    const identity = target.identity(parsed.data);
    if (seen.has(identity)) {
      throw new HubError(hubErrorCodes.dimensionImport, `${where}: ${identity} appears twice; keep one line for it`);
    }
    seen.add(identity);
    records.push(parsed.data);
  });
  if (records.length === 0) {
    throw new HubError(hubErrorCodes.dimensionImport, `${file}: no records; an import replaces the table whole`);
  }
  return records;
}

/** Two natural keys hashing to one surrogate key would merge two stores or SKUs in every report. */
async function assertNoKeyCollision(client: ClickHouseClient, table: string, column: string): Promise<void> {
  const result = await client.query({
    query: `SELECT groupArray(${column}) AS ids FROM ${table} GROUP BY ${surrogateKey(column)} HAVING count() > 1 LIMIT 1`,
    format: 'JSONEachRow',
  });
  const [collision] = await result.json<{ ids: string[] }>();
  if (collision !== undefined) {
    throw new HubError(
      hubErrorCodes.dimensionImport,
      `${collision.ids.join(' and ')} share one surrogate key; rename one of them`,
    );
  }
}

export type DimensionImportResult = Partial<Record<keyof DimensionFiles, number>>;

export async function importDimensions(
  client: ClickHouseClient,
  files: DimensionFiles,
): Promise<DimensionImportResult> {
  const kinds = (Object.keys(targets) as (keyof DimensionFiles)[]).filter((kind) => files[kind] !== undefined);
  if (kinds.length === 0) {
    throw new HubError(hubErrorCodes.usage, 'import-dimensions needs --stores, --catalog, --holidays or --access');
  }
  // Parse everything first: a bad line in the last file must not leave the first one imported.
  const parsed = kinds.map((kind) => {
    const target = targets[kind] as Target<unknown>;
    return { kind, target, records: parseDimensionFile(files[kind] as string, target) };
  });
  const importedAt = Math.floor(Date.now() / 1000);
  const result: DimensionImportResult = {};
  // Stage every file, then swap them all in: a key collision found while staging changes nothing.
  for (const { kind, target, records } of parsed) {
    await stageTable(client, target.table, async (staging) => {
      await client.insert({
        table: staging,
        values: records.map((record) => target.row(record, importedAt)),
        format: 'JSONEachRow',
      });
      if (kind === 'stores') await assertNoKeyCollision(client, staging, 'store_id');
      if (kind === 'catalog') await assertNoKeyCollision(client, staging, 'sku');
    });
    result[kind] = records.length;
  }
  for (const { target } of parsed) await swapStaged(client, target.table);
  return result;
}
