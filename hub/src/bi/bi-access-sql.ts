import { readFileSync } from 'node:fs';
import { issuePath } from '@tillgate/shared';
import { z } from 'zod';
import { HubError, hubErrorCodes } from '../errors.ts';

// ClickHouse access for Power BI's service accounts (the gateway's and Desktop's credentials) on a
// ClickHouse SERVER: one read-only role on the star schema only, one settings profile with limits,
// and row policies that bound what each account can ever read, whatever the report's DAX says. A
// gateway serves many viewers through one account (the connector cannot pass the viewer's identity
// to the database), so per-viewer filtering is the Power BI roles' job (power-bi-roles.ts).
// chDB has no users (the embedded default); `tillgate-hub bi-access-sql` prints this for a server.

const biServiceAccount = z.discriminatedUnion('scope', [
  z.strictObject({
    user: z.string().regex(/^bi_[a-z0-9_]{1,60}$/),
    password_sha256_hex: z.string().regex(/^[0-9a-f]{64}$/),
    scope: z.literal('all'),
  }),
  z.strictObject({
    user: z.string().regex(/^bi_[a-z0-9_]{1,60}$/),
    password_sha256_hex: z.string().regex(/^[0-9a-f]{64}$/),
    scope: z.literal('region'),
    region: z.string().min(1).max(100),
  }),
  z.strictObject({
    user: z.string().regex(/^bi_[a-z0-9_]{1,60}$/),
    password_sha256_hex: z.string().regex(/^[0-9a-f]{64}$/),
    scope: z.literal('store'),
    store_id: z.string().min(1).max(64),
  }),
]);
export type BiServiceAccount = z.infer<typeof biServiceAccount>;

/** What Power BI reads: the star schema and the viewer-to-store mapping its roles filter with. */
const biTables = [
  'dim_date',
  'dim_store',
  'dim_product',
  'fact_sales',
  'fact_inventory',
  'fact_ml_predictions',
  'fact_alerts',
  'bi_user_access',
] as const;
const factTables = ['fact_sales', 'fact_inventory', 'fact_ml_predictions', 'fact_alerts'] as const;

/**
 * Limits for DirectQuery sessions. readonly = 2 lets the ODBC driver set session settings (it does)
 * but never write; the constraints stop a report from raising its own limits. join_use_nulls = 1 so
 * the outer joins Power BI generates fold with SQL semantics (issue 17: they do not fold under 0).
 */
const biProfileSettings = [
  'readonly = 2',
  'max_execution_time = 60 MAX 300',
  'max_memory_usage = 8000000000 MAX 8000000000',
  'max_result_rows = 1000000 MAX 1000000',
  "result_overflow_mode = 'throw' CONST",
  'max_rows_to_read = 2000000000 MAX 2000000000',
  'max_concurrent_queries_for_user = 20',
  'join_use_nulls = 1',
] as const;

const quote = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The row filter an account gets on a table, as the SQL condition of its row policy. */
export function rowFilter(account: BiServiceAccount, table: string, database: string): string {
  if (account.scope === 'all') return '1';
  const storeCondition =
    account.scope === 'region' ? `region = ${quote(account.region)}` : `store_id = ${quote(account.store_id)}`;
  if (table === 'dim_store') return storeCondition;
  return `store_key IN (SELECT store_key FROM ${database}.dim_store WHERE ${storeCondition})`;
}

export function biAccessStatements(accounts: readonly BiServiceAccount[], database: string): string[] {
  const statements = [
    `CREATE SETTINGS PROFILE IF NOT EXISTS bi_directquery SETTINGS ${biProfileSettings.join(', ')}`,
    'CREATE ROLE IF NOT EXISTS bi_reader',
    ...biTables.map((table) => `GRANT SELECT ON ${database}.${table} TO bi_reader`),
  ];
  for (const account of accounts) {
    statements.push(
      `CREATE USER IF NOT EXISTS ${account.user} IDENTIFIED WITH sha256_hash BY ${quote(account.password_sha256_hex)} ` +
        `DEFAULT DATABASE ${database} SETTINGS PROFILE 'bi_directquery'`,
      `GRANT bi_reader TO ${account.user}`,
      `ALTER USER ${account.user} DEFAULT ROLE bi_reader`,
    );
    for (const table of [...factTables, 'dim_store']) {
      statements.push(
        `CREATE ROW POLICY IF NOT EXISTS ${account.user}_rows ON ${database}.${table} ` +
          `FOR SELECT USING ${rowFilter(account, table, database)} AS permissive TO ${account.user}`,
      );
    }
  }
  return statements;
}

export function readServiceAccounts(file: string): BiServiceAccount[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const accounts: BiServiceAccount[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new HubError(hubErrorCodes.biAccess, `${file}:${index + 1}: not a JSON object`);
    }
    const parsed = biServiceAccount.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HubError(
        hubErrorCodes.biAccess,
        `${file}:${index + 1}: ${issue === undefined ? 'invalid' : `${issuePath(issue, 'account')}: ${issue.message}`}`,
      );
    }
    accounts.push(parsed.data);
  });
  return accounts;
}
