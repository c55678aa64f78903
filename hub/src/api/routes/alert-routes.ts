import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.ts';
import { storeFilter, storeIdSchema } from '../store-access.ts';

export function alertRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get<{ Querystring: { store?: string; limit?: number } }>(
    '/alerts',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { store: storeIdSchema, limit: { type: 'integer', minimum: 1, maximum: 1_000, default: 100 } },
        },
      },
    },
    async (request) => {
      const result = await deps.clickhouse.query({
        query: `SELECT alert_id, store_id, sku, state, kind, why, risk, threshold, on_hand, model_name, model_version,
                       trigger_event_id, at
                FROM alerts
                WHERE {store:String} = '' OR store_id = {store:String}
                ORDER BY at DESC
                LIMIT 1 BY alert_id
                LIMIT {limit:UInt32}`,
        query_params: { store: storeFilter(request, request.query.store), limit: request.query.limit ?? 100 },
        format: 'JSONEachRow',
      });
      return { alerts: await result.json() };
    },
  );
}
