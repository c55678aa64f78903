import { createClickHouse, migrate, startHub } from '@tillgate/hub';
import { eventRows } from '../hub/src/ingest/table-rows.ts';
import {
  benchEnv,
  countRows,
  groupStable,
  produceAll,
  salesDataset,
  sleep,
  toRecords,
  truncateAll,
} from './lib/hub-bench-kit.ts';
import { median, round, writeResult } from './lib/result-file.ts';

// Rows/s through the hub's ClickHouse consumer group (Kafka fetch, contract validation, identity
// filter, insert, offset commit) ÷ rows/s inserting the same rows straight into the same table with
// @clickhouse/client, interleaved run by run on the same embedded chDB. Sales lines are the rows.

const EVENTS = 40_000;
const RUNS = 5;
const DIRECT_BATCH = 50_000; // rows per direct INSERT: as large as the writes the consumer makes from one fetch

const env = await benchEnv();
const client = createClickHouse(env.config.clickhouse);
await migrate(client);
const events = salesDataset(EVENTS);
await produceAll(env, toRecords(env.names, events));
const origin = { partition: 0, offset: '0', ingestedAt: '2026-03-01 00:00:00.000' };
const rows = events.flatMap((event) => eventRows(event, origin).rows);
process.stdout.write(`${EVENTS} sales = ${rows.length} rows produced\n`);

/**
 * Ours: from the moment the group is Stable (joined, partitions assigned; the join is a one-off at
 * start, not throughput) until the last row is visible.
 */
async function throughConsumer(run: number): Promise<number> {
  await truncateAll(client);
  const groupId = `${env.config.topicPrefix}run-${run}`;
  const hub = await startHub(
    { ...env.config, autoMigrate: false, ingest: { ...env.config.ingest, groupId } },
    { clickhouse: true, lake: false, api: false },
  );
  const start = await groupStable(env, groupId);
  while ((await countRows(client, 'sales_lines')) < rows.length) await sleep(5);
  const seconds = (performance.now() - start) / 1000;
  await hub.stop();
  return rows.length / seconds;
}

async function direct(): Promise<number> {
  await truncateAll(client);
  const start = performance.now();
  for (let i = 0; i < rows.length; i += DIRECT_BATCH) {
    await client.insert({ table: 'sales_lines', values: rows.slice(i, i + DIRECT_BATCH), format: 'JSONEachRow' });
  }
  return rows.length / ((performance.now() - start) / 1000);
}

await direct(); // warm-up: first inserts create parts, load code paths
const ours: number[] = [];
const baseline: number[] = [];
for (let run = 0; run < RUNS; run++) {
  ours.push(await throughConsumer(run));
  baseline.push(await direct());
  process.stdout.write(
    `run ${run + 1}: consumer ${Math.round(ours[run] ?? 0)} rows/s, direct ${Math.round(baseline[run] ?? 0)} rows/s\n`,
  );
}
await client.close();
await env.cleanup();

const value = Math.round(median(ours));
const base = Math.round(median(baseline));
const file = writeResult({
  name: 'hub-clickhouse',
  what: `hub ClickHouse consumer group, sales lines/s into embedded chDB (Kafka fetch + zod validation + identity filter + insert + MVs + commit), ${EVENTS} sales of 1-4 lines, 6 partitions`,
  unit: 'rows/s',
  value,
  baseline: {
    what: `direct @clickhouse/client JSONEachRow insert of the same rows, ${DIRECT_BATCH} per INSERT, same table and MVs, same chDB`,
    value: base,
  },
  ratio: round(value / base),
  goal: { ratio_at_least: 0.5 },
  runs: RUNS,
  spread: { min: Math.round(Math.min(...ours)), max: Math.round(Math.max(...ours)) },
  command: 'npm run bench -- hub-clickhouse',
});
process.stdout.write(`wrote ${file}: ${value} rows/s vs ${base} direct, ratio ${round(value / base)}\n`);
process.exit(0);
