import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from './clickhouse.ts';
import { HubError, hubErrorCodes } from './errors.ts';

/** sql/ at the repository root: numbered migrations, one statement each. */
export const defaultMigrationsDir = fileURLToPath(new URL('../../sql/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir: string = defaultMigrationsDir): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = fileName.exec(file);
      if (match?.[1] === undefined || match[2] === undefined) {
        throw new HubError(hubErrorCodes.migration, `migration ${file}: name it NNNN_lower_snake_name.sql`);
      }
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(match[1]),
        name: match[2],
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new HubError(
        hubErrorCodes.migration,
        `migration ${migration.version} (${migration.name}): versions must run 1, 2, 3... without gaps`,
      );
    }
  });
  return migrations;
}

/**
 * Applies the migrations not yet recorded in schema_migrations, in order. Safe to run again and from
 * a crashed run: every statement is CREATE ... IF NOT EXISTS, so a migration that ran but was not yet
 * recorded runs again harmlessly. A recorded migration whose file changed is an error: edit the
 * schema with a new migration, never by rewriting history a running hub already applied.
 */
export async function migrate(client: ClickHouseClient, dir: string = defaultMigrationsDir): Promise<MigrateResult> {
  const migrations = readMigrations(dir);
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const result = await client.query({
    query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
    format: 'JSONEachRow',
  });
  const recorded = new Map(
    (await result.json<{ version: number; checksum: string }>()).map((row) => [Number(row.version), row.checksum]),
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = recorded.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new HubError(
          hubErrorCodes.migration,
          `migration ${migration.version} (${migration.name}) changed after it was applied; ` +
            'restore the file and add a new migration instead',
        );
      }
      continue;
    }
    try {
      await client.command({ query: migration.sql });
    } catch (error) {
      throw new HubError(
        hubErrorCodes.migration,
        `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    await client.insert({
      table: 'schema_migrations',
      values: [
        {
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          applied_at: Date.now(),
        },
      ],
      format: 'JSONEachRow',
    });
    applied.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`);
  }
  return { applied, alreadyApplied: migrations.length - applied.length };
}
