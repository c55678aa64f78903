import type { FastifyInstance } from 'fastify';
import { readKpis } from '../../dashboard/kpi-queries.ts';
import { readModelPerformance } from '../../dashboard/model-queries.ts';
import { readStore } from '../../dashboard/store-queries.ts';
import { fleetState } from '../../fleet/fleet-state.ts';
import type { RouteDeps } from '../app.ts';
import { storeFilter, storeIdSchema } from '../store-access.ts';

const storeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { store: storeIdSchema },
} as const;

/** The dashboard's KPI cards, store drill-down and model performance, each scoped by the login. */
export function dashboardRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get<{ Querystring: { store?: string } }>('/kpis', { schema: { querystring: storeQuery } }, async (request) => {
    const at = deps.now();
    return {
      at: at.toISOString(),
      ...(await readKpis(deps.clickhouse, storeFilter(request, request.query.store), at)),
    };
  });

  api.get<{ Params: { storeId: string }; Querystring: { limit?: number } }>(
    '/stores/:storeId',
    {
      schema: {
        params: { type: 'object', required: ['storeId'], properties: { storeId: storeIdSchema } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 5_000, default: 500 } },
        },
      },
    },
    async (request) => {
      const store = storeFilter(request, request.params.storeId);
      return readStore(deps.clickhouse, store, deps.now(), request.query.limit ?? 500);
    },
  );

  api.get<{ Querystring: { store?: string } }>('/models', { schema: { querystring: storeQuery } }, async (request) => {
    const store = storeFilter(request, request.query.store);
    const at = deps.now();
    const [performance, fleet] = await Promise.all([
      readModelPerformance(deps.clickhouse, store, at),
      fleetState(deps.clickhouse, deps.onlineWithinSeconds, at, store),
    ]);
    // Which version runs where, from the same heartbeats as the fleet page.
    const running = new Map<string, string[]>();
    for (const entry of fleet) {
      const key = `${entry.modelName ?? 'none'} ${entry.modelVersion ?? ''}`.trim();
      running.set(key, [...(running.get(key) ?? []), entry.storeId]);
    }
    return {
      at: at.toISOString(),
      ...performance,
      versions: [...running].map(([model, stores]) => ({ model, stores })),
    };
  });
}
