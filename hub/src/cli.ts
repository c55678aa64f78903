#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { createLogger, InvalidConfigError, TillgateError } from '@tillgate/shared';
import { createKafkaClient } from '@tillgate/shared/kafka';
import { userCommand, userUsage } from './auth/user-command.ts';
import { biAccessStatements, readServiceAccounts } from './bi/bi-access-sql.ts';
import { defaultBiRefresh, refreshBi } from './bi/bi-refresh.ts';
import { importDimensions } from './bi/dimension-import.ts';
import { type ClickHouseClient, createClickHouse } from './clickhouse.ts';
import { renderClusterSchema } from './cluster-ddl.ts';
import { type HubConfig, loadHubConfig } from './config.ts';
import { HubError, hubErrorCodes } from './errors.ts';
import { consumerLag } from './fleet/consumer-lag.ts';
import { allHubParts, type HubParts, startHub } from './hub.ts';
import { clickhouseTopics, lakeTopics, TopicNames } from './ingest/hub-topics.ts';
import { compactLakeDay } from './lake/lake-compaction.ts';
import { createS3Client } from './lake/s3-client.ts';
import { migrate, readMigrations } from './migrate.ts';
import { rebuildAggregates } from './repair/rebuild-aggregates.ts';
import { rolloutCommand, rolloutUsage } from './rollout/rollout-command.ts';

const usage = `tillgate-hub <command> [--config hub.json]
  migrate                         apply sql/ migrations to ClickHouse (idempotent)
  ingest [clickhouse|lake|all]    run consumer group(s) until SIGTERM (default all)
  serve                           run the HTTP API (fleet, lag, alerts)
  run                             consumers + API in one process (the local stack)
  lag                             print consumer lag per group as JSON
  rebuild-aggregates --from D --to D
                                  recompute the materialized-view aggregates of UTC days D..D
                                  (YYYY-MM-DD) from the raw tables; stop ingest first
  compact-lake --date D           rewrite the lake's day D (YYYY-MM-DD) without duplicate ids, one file
                                  per topic and store (idempotent; new file first, then the old ones go)
  cluster-ddl [--cluster NAME]    print sql/ rewritten for a ClickHouse cluster (default name: tillgate)
  import-dimensions [--stores F] [--catalog F] [--holidays F] [--access F]
                                  replace the store registry / catalog / holidays / Power BI grants
                                  (JSON Lines, shared/json-schema/*-record.v1), then rebuild dimensions
  bi-refresh [--inventory-days N] [--forecast-days N] [--now ISO]
                                  rebuild what Power BI's star schema cannot keep by views (bi_prep)
  bi-access-sql --accounts F [--database tillgate]
                                  print the SQL for Power BI service accounts on a ClickHouse server
${userUsage}
${rolloutUsage}
Config: the file, then TILLGATE_HUB__<KEY>__<NESTED_KEY>=value overrides.`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      cluster: { type: 'string' },
      help: { type: 'boolean' },
      role: { type: 'string' },
      store: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      stores: { type: 'string' },
      catalog: { type: 'string' },
      holidays: { type: 'string' },
      access: { type: 'string' },
      'inventory-days': { type: 'string' },
      'forecast-days': { type: 'string' },
      now: { type: 'string' },
      accounts: { type: 'string' },
      database: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      date: { type: 'string' },
      url: { type: 'string' },
      user: { type: 'string' },
      model: { type: 'string' },
      version: { type: 'string' },
      'key-id': { type: 'string' },
      waves: { type: 'string' },
      'gate-seconds': { type: 'string' },
      'failure-threshold': { type: 'string' },
      'alert-rate': { type: 'string' },
      cohort: { type: 'string' },
      'swap-window': { type: 'string' },
      'swap-now': { type: 'boolean' },
      'shadow-ms': { type: 'string' },
      rollback: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const [command, target, name] = positionals;
  if (values.help === true || command === undefined) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (command === 'bi-access-sql') {
    if (values.accounts === undefined) throw new HubError(hubErrorCodes.usage, 'bi-access-sql needs --accounts FILE');
    const statements = biAccessStatements(readServiceAccounts(values.accounts), values.database ?? 'tillgate');
    process.stdout.write(statements.map((statement) => `${statement};\n`).join(''));
    return;
  }
  if (command === 'cluster-ddl') {
    process.stdout.write(renderClusterSchema(readMigrations(), { cluster: values.cluster ?? 'tillgate' }));
    return;
  }
  const config = loadHubConfig(values.config === undefined ? {} : { file: values.config });
  switch (command) {
    case 'migrate':
      return runMigrate(config);
    case 'lag':
      return printLag(config);
    case 'rebuild-aggregates':
      return runRebuild(config, values.from, values.to);
    case 'compact-lake':
      return runCompaction(config, values.date);
    case 'import-dimensions':
      return withClickHouse(config, async (client) => {
        const imported = await importDimensions(client, values);
        const refreshed = await refreshBi(client, { ...defaultBiRefresh, now: new Date() });
        return { imported, dimensions: refreshed.dimensions };
      });
    case 'bi-refresh':
      return withClickHouse(config, (client) =>
        refreshBi(client, {
          now: values.now === undefined ? new Date() : isoDate('now', values.now),
          inventoryDays: wholeNumber('inventory-days', values['inventory-days'], defaultBiRefresh.inventoryDays),
          forecastDays: wholeNumber('forecast-days', values['forecast-days'], defaultBiRefresh.forecastDays),
        }),
      );
    case 'ingest':
      return runUntilSignal(config, ingestParts(target));
    case 'serve':
      return runUntilSignal(config, { clickhouse: false, lake: false, api: true });
    case 'run':
      return runUntilSignal(config, allHubParts);
    case 'user': {
      const args = { role: values.role, store: values.store, passwordStdin: values['password-stdin'] === true };
      process.stdout.write(`${await userCommand(config, { action: target, username: name, ...args })}\n`);
      return;
    }
    case 'rollout': {
      const output = await rolloutCommand(config, {
        action: target,
        id: name,
        url: values.url,
        user: values.user,
        passwordStdin: values['password-stdin'] === true,
        model: values.model,
        version: values.version,
        keyId: values['key-id'],
        stores: values.stores,
        waves: values.waves,
        gateSeconds: values['gate-seconds'],
        failureThreshold: values['failure-threshold'],
        alertRate: values['alert-rate'],
        cohort: values.cohort,
        swapWindow: values['swap-window'],
        swapNow: values['swap-now'] === true,
        shadowMs: values['shadow-ms'],
        rollback: values.rollback === true,
      });
      process.stdout.write(`${output}\n`);
      return;
    }
    default:
      throw new HubError(hubErrorCodes.usage, `unknown command "${command}"\n${usage}`);
  }
}

function ingestParts(target: string | undefined): HubParts {
  if (target === undefined || target === 'all') return { clickhouse: true, lake: true, api: false };
  if (target === 'clickhouse') return { clickhouse: true, lake: false, api: false };
  if (target === 'lake') return { clickhouse: false, lake: true, api: false };
  throw new HubError(hubErrorCodes.usage, `ingest takes clickhouse, lake or all, not "${target}"`);
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 366) {
    throw new HubError(hubErrorCodes.usage, `--${name} takes a whole number of days from 1 to 366, not "${value}"`);
  }
  return number;
}

function isoDate(name: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new HubError(
      hubErrorCodes.usage,
      `--${name} takes an ISO 8601 time such as 2026-03-03T12:00:00Z, not "${value}"`,
    );
  }
  return date;
}

/** Runs one ClickHouse job and prints its result as JSON. */
async function withClickHouse(config: HubConfig, job: (client: ClickHouseClient) => Promise<unknown>): Promise<void> {
  const client = createClickHouse(config.clickhouse);
  try {
    process.stdout.write(`${JSON.stringify(await job(client))}\n`);
  } finally {
    await client.close();
  }
}

async function runMigrate(config: HubConfig): Promise<void> {
  const client = createClickHouse(config.clickhouse);
  try {
    const result = await migrate(client);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.close();
  }
}

async function runRebuild(config: HubConfig, from: string | undefined, to: string | undefined): Promise<void> {
  if (from === undefined || to === undefined) {
    throw new HubError(hubErrorCodes.usage, 'rebuild-aggregates needs --from YYYY-MM-DD and --to YYYY-MM-DD');
  }
  const client = createClickHouse(config.clickhouse);
  try {
    process.stdout.write(`${JSON.stringify(await rebuildAggregates(client, from, to))}\n`);
  } finally {
    await client.close();
  }
}

async function runCompaction(config: HubConfig, date: string | undefined): Promise<void> {
  if (date === undefined) throw new HubError(hubErrorCodes.usage, 'compact-lake needs --date YYYY-MM-DD');
  const names = new TopicNames(config.topicPrefix);
  const report = await compactLakeDay(
    createS3Client(config.lake.s3),
    config.lake,
    lakeTopics.map((topic) => names.full(topic)),
    date,
  );
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function printLag(config: HubConfig): Promise<void> {
  const kafka = createKafkaClient(config.kafka);
  const names = new TopicNames(config.topicPrefix);
  const groups = [
    await consumerLag(
      kafka,
      config.ingest.groupId,
      clickhouseTopics.map((topic) => names.full(topic)),
    ),
    await consumerLag(
      kafka,
      config.lake.groupId,
      lakeTopics.map((topic) => names.full(topic)),
    ),
  ];
  process.stdout.write(`${JSON.stringify({ groups }, null, 2)}\n`);
}

async function runUntilSignal(config: HubConfig, parts: HubParts): Promise<void> {
  const logger = createLogger({ name: 'tillgate-hub', level: config.logLevel });
  const hub = await startHub(config, parts, logger);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await hub.stop();
  logger.flush();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const code = error instanceof TillgateError ? error.code : 'TG_HUB_UNEXPECTED';
    const where = error instanceof InvalidConfigError ? ` (key: ${error.key})` : '';
    process.stderr.write(`tillgate-hub: ${code}${where}: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
