import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { query } from 'chdb';
import { describe, expect, it } from 'vitest';
import { clusterSchema, clusterStatements, renderClusterSchema } from '../../hub/src/cluster-ddl.ts';
import { readMigrations } from '../../hub/src/migrate.ts';

// The cluster DDL is generated from sql/, so the cluster and the single server cannot drift apart.
// ClickHouse's own parser (formatQuery, in chDB) checks every generated statement; a real cluster
// (Keeper, shards, replicas) is not available here and is listed as untested in deploy/k8s/README.md.
const schemaFile = fileURLToPath(new URL('../../deploy/k8s/clickhouse/schema.sql', import.meta.url));
const migrations = readMigrations();
const options = { cluster: 'tillgate' };

function formatted(sql: string): string {
  return query(`SELECT formatQuery(${quote(sql)})`, 'TSVRaw').trim();
}

function quote(sql: string): string {
  return `'${sql.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The column list, PARTITION BY and ORDER BY of a CREATE TABLE, as ClickHouse itself prints them. */
function tableShape(sql: string): string {
  return formatted(sql)
    .split('\n')
    .filter((line) => !line.startsWith('CREATE TABLE') && !line.startsWith('ENGINE'))
    .join('\n');
}

describe('cluster DDL (deploy/k8s/clickhouse/schema.sql)', () => {
  it('is up to date with sql/ (regenerate: npm run generate -w hub)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(renderClusterSchema(migrations, options));
  });

  it('parses with the ClickHouse parser, every statement', () => {
    const statements = clusterSchema(migrations, options);
    expect(statements.length).toBeGreaterThan(migrations.length);
    for (const statement of statements) expect(() => formatted(statement)).not.toThrow();
  });

  it('gives every shard table the same columns, partitioning and order as the single-server table', () => {
    const tables = new Set<string>();
    let compared = 0;
    for (const migration of migrations) {
      const statements = clusterStatements(migration, tables, options);
      if (!/^CREATE TABLE/m.test(migration.sql)) continue;
      const [local, distributed] = statements;
      expect(local).toMatch(/ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\//);
      expect(distributed).toMatch(/ENGINE = Distributed\(tillgate, currentDatabase\(\), \w+_local, /);
      expect(tableShape(local ?? '')).toBe(tableShape(migration.sql));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(15);
  });

  it('shards by store so one store stays on one shard, and keeps engine arguments', () => {
    const sql = clusterSchema(migrations, options).join('\n');
    expect(sql).toContain('Distributed(tillgate, currentDatabase(), sales_lines_local, cityHash64(store_id))');
    expect(sql).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/fleet_state_local', '{replica}', sent_at)",
    );
  });

  it('attaches materialized views to the shard tables', () => {
    const sql = clusterSchema(migrations, options).join('\n');
    expect(sql).toMatch(
      /daily_sales_summary_sales_mv ON CLUSTER tillgate TO daily_sales_summary_local AS\n[\s\S]*?FROM sales_lines_local/,
    );
  });

  it('refuses a statement kind it cannot map, naming the migration', () => {
    const unknown = { version: 99, name: 'drop_it', sql: 'DROP TABLE sales_lines', checksum: '' };
    expect(() => clusterStatements(unknown, new Set(), options)).toThrow(/migration 99 \(drop_it\).*cluster-ddl\.ts/);
  });
});
