import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { biAccessStatements } from '@tillgate/hub';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The service-account SQL on chDB with a users.xml that gives `default` access management (as a
// server's admin has): every statement gets past the parser, the privilege check and the setting
// names, and is refused only because clickhouse-local keeps users in read-only users.xml storage
// (514 ACCESS_STORAGE_FOR_INSERTION_NOT_FOUND) or because the user, role or profile it names could
// not be created for that reason (511 UNKNOWN_ROLE, 180 THERE_IS_NO_PROFILE). Taking effect needs a server: docs/powerbi/security.md.

const accounts = [
  { user: 'bi_gateway_all', password_sha256_hex: 'a'.repeat(64), scope: 'all' as const },
  { user: 'bi_gateway_north', password_sha256_hex: 'b'.repeat(64), scope: 'region' as const, region: 'north' },
  { user: 'bi_store_s2', password_sha256_hex: 'c'.repeat(64), scope: 'store' as const, store_id: 's2' },
];

// user_directories must name this file: clickhouse-local otherwise keeps its built-in `default`
// without access management.
const usersXml = (
  file: string,
) => `<clickhouse><user_directories><users_xml><path>${file}</path></users_xml></user_directories><users><default><password></password><access_management>1</access_management>
<networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
<profiles><default/></profiles><quotas><default/></quotas></clickhouse>`;

describe('Power BI service-account SQL on chDB', () => {
  let dir: string;
  let session: Session;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-bi-sql-'));
    writeFileSync(join(dir, 'users.xml'), usersXml(join(dir, 'users.xml')));
    session = new Session(join(dir, 'chdb'), { connectionArgs: [`--config-file=${join(dir, 'users.xml')}`] });
    for (const table of [
      'dim_date',
      'dim_store',
      'dim_product',
      'fact_sales',
      'fact_inventory',
      'fact_ml_predictions',
      'fact_alerts',
      'bi_user_access',
    ]) {
      session.query(
        `CREATE TABLE ${table} (store_key Int64, store_id String, region String) ENGINE = MergeTree ORDER BY store_key`,
      );
    }
  });

  afterAll(() => {
    session?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('every statement parses and passes the privilege check; chDB refuses it only for want of user storage', () => {
    const outcomes = new Map<string, number>();
    for (const statement of biAccessStatements(accounts, 'default')) {
      const kind = statement.split(' ').slice(0, 2).join(' ');
      let message = '';
      try {
        session.query(statement);
      } catch (error) {
        message = (error as Error).message;
      }
      const code = /ACCESS_STORAGE_FOR_INSERTION_NOT_FOUND/.test(message)
        ? 514
        : /UNKNOWN_ROLE/.test(message)
          ? 511
          : /THERE_IS_NO_PROFILE/.test(message)
            ? 180
            : -1;
      expect({ statement, code, message: code === -1 ? message : '' }).toEqual({ statement, code, message: '' });
      outcomes.set(kind, code);
    }
    expect(Object.fromEntries(outcomes)).toEqual({
      'CREATE SETTINGS': 514,
      'CREATE ROLE': 514,
      'GRANT SELECT': 511,
      // The profile it names comes first: that check passing would need the profile to exist.
      'CREATE USER': 180,
      'GRANT bi_reader': 511,
      'ALTER USER': 511,
      'CREATE ROW': 511,
    });
  });

  it('a misspelt setting in the profile is caught here, before any server sees it', () => {
    expect(() => session.query('CREATE SETTINGS PROFILE IF NOT EXISTS p SETTINGS max_execution_tme = 60')).toThrow(
      /UNKNOWN_SETTING|Unknown setting/,
    );
  });
});
