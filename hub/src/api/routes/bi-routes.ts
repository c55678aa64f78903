import type { FastifyInstance } from 'fastify';
import { type BiRefreshResult, defaultBiRefresh, refreshBi } from '../../bi/bi-refresh.ts';
import { hubErrorCodes } from '../../errors.ts';
import { ApiError } from '../api-errors.ts';
import type { RouteDeps } from '../app.ts';
import { requireRole } from '../store-access.ts';

/**
 * POST /api/bi/refresh: the bi_prep refresh inside the hub's process. With the embedded chDB only the
 * hub's process can open the data directory, so the Airflow DAG asks the hub; against a server the
 * DAG can run `tillgate-hub bi-refresh` itself. One refresh at a time (the staging tables are shared):
 * a second call while one runs gets 409, and the DAG's next 15-minute run simply tries again.
 */
export function biRoutes(api: FastifyInstance, deps: RouteDeps): void {
  let running: Promise<BiRefreshResult> | undefined;
  api.post<{ Body: { inventoryDays?: number; forecastDays?: number } | undefined }>(
    '/bi/refresh',
    {
      schema: {
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            inventoryDays: { type: 'integer', minimum: 1, maximum: 366 },
            forecastDays: { type: 'integer', minimum: 1, maximum: 366 },
          },
        },
      },
    },
    async (request) => {
      requireRole(request, ['admin', 'ops']);
      if (running !== undefined) {
        throw new ApiError(
          409,
          hubErrorCodes.biRefreshBusy,
          'a Power BI refresh is already running; try again after it',
        );
      }
      running = refreshBi(deps.clickhouse, { ...defaultBiRefresh, ...request.body, now: deps.now() });
      try {
        return await running;
      } finally {
        running = undefined;
      }
    },
  );
}
