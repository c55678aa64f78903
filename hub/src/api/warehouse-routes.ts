import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defaultBiRefresh, refreshBi } from '../bi/bi-refresh.ts';
import type { ClickHouseClient } from '../clickhouse.ts';

/**
 * ClickHouse for the Airflow DAGs, through the hub. With embedded chDB the hub's process owns the data
 * directory, so a DAG task cannot open it; with a ClickHouse server the DAGs send the same two requests
 * to the server itself (dags/tillgate_dags/warehouse.py). Two operations:
 *   POST /warehouse/query    one read-only SELECT with typed parameters -> { rows }
 *   POST /warehouse/replace  a DAG run's rows for one key of a whitelisted table: insert them (one
 *                            INSERT, atomic), then delete that key's rows of every other run. A failed
 *                            insert leaves the previous run's rows; a re-run of a date replaces its own.
 *   POST /warehouse/bi-refresh  the Power BI refresh (hub/src/bi/bi-refresh.ts) as of `now`, in the
 *                            process that owns chDB; idempotent per `now` (bi_prep DAG, every 15 min).
 * Both need `authorization: Bearer <api.warehouseToken>`; without a configured token the routes do not exist.
 */

/** Tables a DAG may write, and the columns a replacement may be keyed on (never user-chosen identifiers). */
export const writableTables = {
  dq_results: ['check_hour', 'check_name'],
  daily_store_sku_facts: ['fact_date'],
  ml_forecast_results: ['forecast_date', 'model_name'],
  reorder_predictions: ['prediction_date', 'model_name'],
} as const satisfies Record<string, readonly string[]>;

type WritableTable = keyof typeof writableTables;

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

const queryBody = z.strictObject({
  sql: z
    .string()
    .min(1)
    .max(64 * 1024),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), paramValue).default({}),
});

const replaceBody = z.strictObject({
  table: z.enum(Object.keys(writableTables) as [WritableTable, ...WritableTable[]]),
  run_id: z.string().min(1).max(250),
  key: z.record(z.string(), paramValue),
  rows: z.array(z.record(z.string(), z.unknown())).min(1).max(1_000_000),
});

const biRefreshBody = z.strictObject({ now: z.iso.datetime() });

const badRequest = (message: string) => ({ error: message });

/**
 * Whether ClickHouse's own parser sees one SELECT. Not the `readonly` setting: chDB keeps settings for
 * its one session, so a readonly query would turn the hub's own ingest read-only too (measured).
 */
async function isSelect(
  clickhouse: ClickHouseClient,
  sql: string,
  params: Record<string, string | number | boolean>,
): Promise<boolean> {
  const result = await clickhouse.query({ query: `EXPLAIN AST ${sql}`, query_params: params, format: 'JSONEachRow' });
  // A server answers {"explain": line} per row; chDB's connection answers the bare line.
  const [root] = await result.json<{ explain: string } | string>();
  const line = typeof root === 'string' ? root : root?.explain;
  return line !== undefined && /^Select(WithUnion|IntersectExcept)Query\b/.test(line.trim());
}

export function registerWarehouseRoutes(app: FastifyInstance, clickhouse: ClickHouseClient, token: string): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/warehouse/')) return;
    if (request.headers.authorization !== `Bearer ${token}`) {
      return reply.code(401).send(badRequest('missing or wrong bearer token (hub config api.warehouseToken)'));
    }
  });

  app.post('/warehouse/query', { bodyLimit: 128 * 1024 }, async (request, reply) => {
    const body = queryBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(badRequest(z.prettifyError(body.error)));
    try {
      if (!(await isSelect(clickhouse, body.data.sql, body.data.params))) {
        return reply.code(400).send(badRequest('only a SELECT (or WITH ... SELECT) is allowed on /warehouse/query'));
      }
      const result = await clickhouse.query({
        query: body.data.sql,
        query_params: body.data.params,
        format: 'JSONEachRow',
      });
      return { rows: await result.json() };
    } catch (error) {
      return reply.code(400).send(badRequest(`ClickHouse refused the query: ${(error as Error).message}`));
    }
  });

  app.post('/warehouse/replace', { bodyLimit: 256 * 1024 * 1024 }, async (request, reply) => {
    const body = replaceBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(badRequest(z.prettifyError(body.error)));
    const { table, run_id: runId, key, rows } = body.data;
    const allowed: readonly string[] = writableTables[table];
    const keyColumns = Object.keys(key);
    const unknown = keyColumns.filter((column) => !allowed.includes(column));
    if (keyColumns.length === 0 || unknown.length > 0) {
      return reply.code(400).send(badRequest(`${table} is replaced by key columns ${allowed.join(', ')}`));
    }
    // Every row must belong to this run and this key: otherwise the delete below would drop rows the
    // run did not mean to replace, or leave rows it meant to.
    const stray = rows.findIndex(
      (row) => row.run_id !== runId || keyColumns.some((column) => String(row[column]) !== String(key[column])),
    );
    if (stray >= 0) {
      return reply.code(400).send(badRequest(`rows[${stray}] does not carry run_id and key ${JSON.stringify(key)}`));
    }
    try {
      await clickhouse.insert({ table, values: rows, format: 'JSONEachRow' });
    } catch (error) {
      return reply.code(400).send(badRequest(`ClickHouse refused the rows for ${table}: ${(error as Error).message}`));
    }
    const where = keyColumns.map((column) => `${column} = {k_${column}:String}`).join(' AND ');
    const params = Object.fromEntries(keyColumns.map((column) => [`k_${column}`, String(key[column])]));
    await clickhouse.command({
      query: `DELETE FROM ${table} WHERE ${where} AND run_id != {run_id:String}`,
      query_params: { ...params, run_id: runId },
      clickhouse_settings: { lightweight_deletes_sync: '2' },
    });
    return { table, run_id: runId, inserted: rows.length };
  });

  app.post('/warehouse/bi-refresh', async (request, reply) => {
    const body = biRefreshBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(badRequest(z.prettifyError(body.error)));
    return refreshBi(clickhouse, { now: new Date(body.data.now), ...defaultBiRefresh });
  });
}
