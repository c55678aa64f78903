import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse } from './clickhouse.ts';
import { defaultMigrationsDir, migrate, readMigrations } from './migrate.ts';

// Runs the real sql/ on chDB (the same SQL a ClickHouse server runs).
describe('migrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-migrate-'));
  const sqlDir = join(dir, 'sql');
  cpSync(defaultMigrationsDir, sqlDir, { recursive: true });
  const client = createClickHouse({ username: 'default', password: '', dataPath: join(dir, 'chdb') });

  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration once, then nothing', async () => {
    const count = readMigrations(sqlDir).length;
    expect((await migrate(client, sqlDir)).applied).toHaveLength(count);
    expect(await migrate(client, sqlDir)).toEqual({ applied: [], alreadyApplied: count });
    const tables = await (
      await client.query({
        query: 'SELECT count() AS n FROM system.tables WHERE database = currentDatabase()',
        format: 'JSONEachRow',
      })
    ).json();
    // Every migration creates one object except those that alter an existing table; + schema_migrations.
    const alters = readMigrations(sqlDir).filter((m) => /^\s*ALTER\b/im.test(m.sql.replace(/^--.*$/gm, ''))).length;
    expect(Number((tables[0] as { n: string }).n)).toBe(count - alters + 1);
  });

  it('refuses an applied migration whose file changed', async () => {
    const [first] = readMigrations(sqlDir);
    writeFileSync(join(sqlDir, `0001_${first?.name}.sql`), `${first?.sql}\n-- edited`);
    await expect(migrate(client, sqlDir)).rejects.toMatchObject({
      code: 'TG_HUB_MIGRATION',
      message: expect.stringContaining('changed after it was applied'),
    });
  });

  it('refuses a gap in the numbering', () => {
    writeFileSync(join(sqlDir, '0099_orphan.sql'), 'SELECT 1');
    expect(() => readMigrations(sqlDir)).toThrow(/without gaps/);
  });
});
