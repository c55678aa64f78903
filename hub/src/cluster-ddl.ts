import { HubError, hubErrorCodes } from './errors.ts';
import type { Migration } from './migrate.ts';

// The cluster variant of sql/: the same migrations, rewritten for a sharded, replicated ClickHouse
// (ReplicatedMergeTree + Distributed + ON CLUSTER), so a chain that outgrows one server runs the schema
// it already has and the two can never drift (deploy/k8s/clickhouse/README.md, test/hub/cluster-ddl.test.ts).
//
// Layout per table `t`: `t_local` holds each shard's rows (Replicated*MergeTree, replicated through
// Keeper), and `t` is a Distributed table over them, so every reader and writer keeps using `t`.
// Rows shard by cityHash64(store_id): one store's events share a shard, which keeps the hub's identity
// lookup (one partition owner per store) and the per-store materialized views exact on each shard.
// Materialized views attach to the local tables: an insert into `t` is forwarded to the shard's
// `t_local`, which fires the views there and writes the local aggregate.

export interface ClusterOptions {
  /** The cluster name of the ClickHouse `remote_servers` config (macro-free so ON CLUSTER can resolve it). */
  cluster: string;
}

const localSuffix = '_local';
const createTable = /^CREATE TABLE IF NOT EXISTS (\w+)\s*\n\(/;
const createMaterializedView = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS\n/;
const createView = /^CREATE VIEW IF NOT EXISTS (\w+) AS\n/;
const alterTable = /^ALTER TABLE (\w+) /;
const accessControl = /^(CREATE|ALTER|DROP) (USER|ROLE|ROW POLICY|SETTINGS PROFILE|QUOTA) IF (NOT )?EXISTS /;
const grant = /^(GRANT|REVOKE) /;
const mergeTreeEngine = /ENGINE = (Replacing|Summing|Aggregating|Collapsing)?MergeTree(?:\(([^)]*)\))?/;

/** Splits a migration into its leading comment block and its one statement. */
function splitComment(sql: string): { comment: string; statement: string } {
  const lines = sql.split('\n');
  const firstCode = lines.findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('--'));
  return {
    comment: lines.slice(0, firstCode).join('\n'),
    statement: lines.slice(firstCode).join('\n').trim().replace(/;$/, ''),
  };
}

function replicatedEngine(statement: string, table: string): string {
  const match = mergeTreeEngine.exec(statement);
  if (match === null) {
    throw new HubError(hubErrorCodes.migration, `cluster DDL: ${table} has no MergeTree engine to replicate`);
  }
  const family = match[1] ?? '';
  const zooPath = `'/clickhouse/tables/{shard}/{database}/${table}${localSuffix}'`;
  const args = [zooPath, "'{replica}'", ...(match[2] ? [match[2]] : [])].join(', ');
  return statement.replace(match[0], `ENGINE = Replicated${family}MergeTree(${args})`);
}

/** Rewrites `FROM t` / `JOIN t` of the known tables to their shard-local tables. */
function toLocalSources(select: string, tables: ReadonlySet<string>): string {
  return select.replace(/\b(FROM|JOIN)\s+(\w+)\b/g, (whole, keyword: string, name: string) =>
    tables.has(name) ? `${keyword} ${name}${localSuffix}` : whole,
  );
}

function hasColumn(statement: string, column: string): boolean {
  return new RegExp(`^\\s+${column} `, 'm').test(statement);
}

/**
 * The cluster statements for one migration, in order. `tables` is every MergeTree table created by the
 * migrations up to and including this one (views read them). Throws for a statement kind it does not
 * know, so a new kind of migration cannot silently skip the cluster variant.
 */
export function clusterStatements(migration: Migration, tables: Set<string>, options: ClusterOptions): string[] {
  const { statement } = splitComment(migration.sql);
  const onCluster = `ON CLUSTER ${options.cluster}`;
  const label = `migration ${migration.version} (${migration.name})`;

  const table = createTable.exec(statement);
  if (table?.[1] !== undefined) {
    const name = table[1];
    tables.add(name);
    const local = replicatedEngine(
      statement.replace(createTable, `CREATE TABLE IF NOT EXISTS ${name}${localSuffix} ${onCluster}\n(`),
      name,
    );
    const shardingKey = hasColumn(statement, 'store_id') ? 'cityHash64(store_id)' : 'rand()';
    const distributed =
      `CREATE TABLE IF NOT EXISTS ${name} ${onCluster} AS ${name}${localSuffix}\n` +
      `ENGINE = Distributed(${options.cluster}, currentDatabase(), ${name}${localSuffix}, ${shardingKey})`;
    return [local, distributed];
  }

  const view = createMaterializedView.exec(statement);
  if (view?.[1] !== undefined && view[2] !== undefined) {
    const select = statement.slice(view[0].length);
    if (!tables.has(view[2]))
      throw new HubError(hubErrorCodes.migration, `cluster DDL: ${label} targets unknown ${view[2]}`);
    return [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view[1]} ${onCluster} TO ${view[2]}${localSuffix} AS\n` +
        toLocalSources(select, tables),
    ];
  }

  const plainView = createView.exec(statement);
  if (plainView?.[1] !== undefined) {
    // A plain view reads the Distributed tables; its joins of two store-sharded tables run per shard
    // with distributed_product_mode = 'local' (set in the cluster's profile, deploy/k8s/clickhouse).
    return [statement.replace(createView, `CREATE VIEW IF NOT EXISTS ${plainView[1]} ${onCluster} AS\n`)];
  }

  const alter = alterTable.exec(statement);
  if (alter?.[1] !== undefined) {
    const name = alter[1];
    const rest = statement.slice(alter[0].length);
    // A materialized view's new query reads the shard-local tables, as its CREATE does.
    if (rest.startsWith('MODIFY QUERY')) return [`ALTER TABLE ${name} ${onCluster} ${toLocalSources(rest, tables)}`];
    // A column change applies to the shard tables and to the Distributed table that mirrors them.
    return tables.has(name)
      ? [`ALTER TABLE ${name}${localSuffix} ${onCluster} ${rest}`, `ALTER TABLE ${name} ${onCluster} ${rest}`]
      : [`ALTER TABLE ${name} ${onCluster} ${rest}`];
  }

  const access = accessControl.exec(statement);
  if (access !== null) {
    return [statement.replace(/ IF (NOT )?EXISTS (\S+)/, (whole) => `${whole} ${onCluster}`)];
  }
  if (grant.test(statement)) {
    return [statement.replace(grant, (keyword) => `${keyword}${onCluster} `)];
  }

  throw new HubError(
    hubErrorCodes.migration,
    `cluster DDL: ${label} is a statement kind the cluster variant does not know yet; ` +
      'teach hub/src/cluster-ddl.ts how it maps to ON CLUSTER / Replicated / Distributed',
  );
}

/** Every cluster statement of the migrations, in migration order. */
export function clusterSchema(migrations: readonly Migration[], options: ClusterOptions): string[] {
  const tables = new Set<string>();
  return migrations.flatMap((migration) => clusterStatements(migration, tables, options));
}

/** The generated file deploy/k8s/clickhouse/schema.sql: a header, then every statement. */
export function renderClusterSchema(migrations: readonly Migration[], options: ClusterOptions): string {
  const header =
    '-- GENERATED by `npm run generate -w hub` from sql/ (hub/src/cluster-ddl.ts): do not edit.\n' +
    `-- The cluster variant of the hub schema for ClickHouse cluster "${options.cluster}" (deploy/k8s/clickhouse).\n` +
    '-- test/hub/cluster-ddl.test.ts fails when this file is stale.\n';
  return `${header}\n${clusterSchema(migrations, options)
    .map((statement) => `${statement};\n`)
    .join('\n')}`;
}
