import type { FastifyInstance } from 'fastify';
import { failingChecks } from '../../fleet/data-quality.ts';
import { dataQualityFlags } from '../../fleet/data-quality-flags.ts';
import { fleetState } from '../../fleet/fleet-state.ts';
import { fleetRollouts } from '../../rollout/fleet-rollouts.ts';
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
      const filter = storeFilter(request, request.query.store);
      const [stores, failing, rollouts] = await Promise.all([
        fleetState(deps.clickhouse, deps.onlineWithinSeconds, at, filter),
        // The hourly data-quality DAG's verdicts (dq_results); joined to the stores this user may see.
        failingChecks(deps.clickhouse),
        fleetRollouts(deps.clickhouse, filter),
      ]);
      return {
        at: at.toISOString(),
        onlineWithinSeconds: deps.onlineWithinSeconds,
        online: stores.filter((store) => store.online).length,
        stores: stores.map((store) => ({
          ...store,
          flags: dataQualityFlags(store, at),
          dataQuality: { failing: failing.get(store.storeId) ?? [] },
          ...(rollouts.get(store.storeId) ?? { candidate: null, lastRolloutStep: null }),
        })),
      };
    },
  );

  // Hub-wide consumer lag: fleet operations, not a store's business.
  api.get('/lag', async (request) => {
    requireRole(request, ['admin', 'ops']);
    return { groups: await deps.lag() };
  });
}
