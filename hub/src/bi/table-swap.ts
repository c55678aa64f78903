import type { ClickHouseClient } from '../clickhouse.ts';

// Power BI queries the star schema without FINAL, so a refresh must never show readers a half-built
// or doubled table. Both helpers build into `<table>_staging`, made AS the table (same columns,
// engine and partitioning, as REPLACE PARTITION requires), then swap in one atomic step.
// One refresh at a time: the staging table is shared (bi_prep runs with max_active_runs = 1).

const stagingOf = (table: string): string => `${table}_staging`;

async function prepareStaging(client: ClickHouseClient, table: string): Promise<string> {
  const staging = stagingOf(table);
  await client.command({ query: `CREATE TABLE IF NOT EXISTS ${staging} AS ${table}` });
  await client.command({ query: `TRUNCATE TABLE ${staging}` });
  return staging;
}

/** Empties the staging table of `table` and lets `fill` write the new content into it. */
export async function stageTable(
  client: ClickHouseClient,
  table: string,
  fill: (staging: string) => Promise<void>,
): Promise<void> {
  await fill(await prepareStaging(client, table));
}

/** Swaps a table filled by stageTable in (EXCHANGE TABLES: atomic for readers). */
export async function swapStaged(client: ClickHouseClient, table: string): Promise<void> {
  await client.command({ query: `EXCHANGE TABLES ${stagingOf(table)} AND ${table}` });
}

/** Replaces a whole table with what `fill` writes into the staging table. */
export async function replaceTable(
  client: ClickHouseClient,
  table: string,
  fill: (staging: string) => Promise<void>,
): Promise<void> {
  await stageTable(client, table, fill);
  await swapStaged(client, table);
}

/**
 * Replaces one partition with what `selectSql` returns (which must lie in that partition). A rebuild
 * that comes out empty drops the partition: REPLACE from an empty source is refused by new servers.
 */
export async function replacePartition(
  client: ClickHouseClient,
  table: string,
  partition: number,
  selectSql: string,
  queryParams: Record<string, unknown> = {},
): Promise<void> {
  const staging = await prepareStaging(client, table);
  await client.command({ query: `INSERT INTO ${staging} ${selectSql}`, query_params: queryParams });
  const result = await client.query({ query: `SELECT count() AS rows FROM ${staging}`, format: 'JSONEachRow' });
  const [{ rows } = { rows: '0' }] = await result.json<{ rows: string }>();
  await client.command({
    query:
      rows === '0'
        ? `ALTER TABLE ${table} DROP PARTITION ${partition}`
        : `ALTER TABLE ${table} REPLACE PARTITION ${partition} FROM ${staging}`,
  });
}
