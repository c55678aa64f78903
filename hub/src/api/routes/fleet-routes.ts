import type { FastifyInstance } from 'fastify';
import { dataQualityFlags } from '../../fleet/data-quality-flags.ts';
import { fleetState } from '../../fleet/fleet-state.ts';
import type { RouteDeps } from '../app.ts';
import { requireRole, storeFilter, storeIdSchema } from '../store-access.ts';

export function fleetRoutes(api: FastifyInstance, deps: RouteDeps): void {
  api.get<{ Querystring: { store?: string } }>(
    '/fleet',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { store: storeIdSchema } },
      },
    },
    async (request) => {
      const at = deps.now();
      const stores = await fleetState(
        deps.clickhouse,
        deps.onlineWithinSeconds,
        at,
        storeFilter(request, request.query.store),
      );
      return {
        at: at.toISOString(),
        onlineWithinSeconds: deps.onlineWithinSeconds,
        online: stores.filter((store) => store.online).length,
        stores: stores.map((store) => ({ ...store, flags: dataQualityFlags(store, at) })),
      };
    },
  );

  // Hub-wide consumer lag: fleet operations, not a store's business.
  api.get('/lag', async (request) => {
    requireRole(request, ['admin', 'ops']);
    return { groups: await deps.lag() };
  });
}
