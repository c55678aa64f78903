import type { Logger } from '@tillgate/shared';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { type AuthOptions, loginHook, registerAuth } from '../auth/auth-routes.ts';
import type { ClickHouseClient } from '../clickhouse.ts';
import { AlertFeed } from '../dashboard/alert-feed.ts';
import type { GroupLag } from '../fleet/consumer-lag.ts';
import type { RolloutController } from '../rollout/rollout-controller.ts';
import { installErrorHandling } from './api-errors.ts';
import { defaultDashboardDir, registerDashboardPages } from './dashboard-pages.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { alertStreamRoute } from './routes/alert-stream-route.ts';
import { biRoutes } from './routes/bi-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { fleetRoutes } from './routes/fleet-routes.ts';
import { rolloutRoutes } from './routes/rollout-routes.ts';
import { registerWarehouseRoutes } from './warehouse-routes.ts';

export interface ApiDeps {
  clickhouse: ClickHouseClient;
  /** Lag of the hub's consumer groups; injected so the app needs no Kafka in its own tests. */
  lag: () => Promise<GroupLag[]>;
  onlineWithinSeconds: number;
  auth: AuthOptions;
  /** The built dashboard (index.html, login.html, assets/); default hub/dashboard/dist. */
  dashboardDir?: string;
  /** Subscribes to "alerts were just stored" from an ingest in this process (see hub.ts); optional. */
  alertsStored?: (listener: () => void) => () => void;
  /** TLS for the listener; also turns on the Secure cookie flag (see AuthOptions.secureCookies). */
  https?: { key: Buffer; cert: Buffer };
  /** Enables /warehouse/* (the Airflow DAGs' path to ClickHouse) for this bearer token. */
  warehouseToken?: string;
  /** Where failed requests (5xx) are logged; none: not logged. */
  logger?: Logger;
  now?: () => Date;
  /** The rollout controller (hub/src/rollout); without it the /api/rollouts routes are not served. */
  rollouts?: RolloutController;
}

/** What every route behind the login receives. */
export interface RouteDeps extends ApiDeps {
  now: () => Date;
}

/**
 * The hub's HTTP API and the ops dashboard. A factory without listen(), so tests drive it with
 * inject() and the CLI decides where it listens.
 *
 * Public: GET /health, GET /login, /assets/*, GET /auth/session, POST /auth/login (rate-limited).
 * Everything else needs a login. To add API routes, write `routes/<thing>-routes.ts` exporting
 * `(api, deps) => void` and call it in the `/api` scope below: the scope's hook answers 401 without a
 * session, sets `request.user`, and checks the CSRF token on POST/PUT/PATCH/DELETE. Bind
 * `storeFilter(request, ...)` (store-access.ts) as `{store:String}` in every query that reads store data.
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger === undefined
      ? { logger: false }
      : { loggerInstance: deps.logger as FastifyBaseLogger, disableRequestLogging: true }),
    ...(deps.https === undefined ? {} : { https: deps.https }),
    routerOptions: { maxParamLength: 200 },
    bodyLimit: 16 * 1024, // bytes: the largest body is a login
    // Fastify's default drops unknown query keys silently; a misspelt filter must be a 400 instead.
    ajv: { customOptions: { removeAdditional: false } },
    // close() must end open alert streams, or a stopping hub waits for every browser to leave.
    forceCloseConnections: true,
  });
  const routeDeps: RouteDeps = { ...deps, now: deps.now ?? (() => new Date()) };
  const alertFeed = new AlertFeed(deps.clickhouse, { pollMs: 250, now: () => new Date() });
  const unsubscribe = deps.alertsStored?.(() => alertFeed.wake());
  app.addHook('onClose', async () => {
    unsubscribe?.();
    alertFeed.stop();
  });
  installErrorHandling(app);

  app.get('/health', async () => {
    await deps.clickhouse.ping();
    return { ok: true };
  });

  registerAuth(app, deps.auth);

  app.register(
    async (api) => {
      api.addHook('onRequest', loginHook(api, deps.auth.users));
      fleetRoutes(api, routeDeps);
      alertRoutes(api, routeDeps);
      alertStreamRoute(api, alertFeed);
      dashboardRoutes(api, routeDeps);
      biRoutes(api, routeDeps);
      if (deps.rollouts !== undefined) rolloutRoutes(api, deps.rollouts);
    },
    { prefix: '/api' },
  );

  app.register(async (pages) =>
    registerDashboardPages(pages, deps.dashboardDir ?? defaultDashboardDir, deps.auth.users),
  );

  // Machine to machine (the Airflow DAGs): a bearer token, not a login session, in its own scope.
  const { warehouseToken } = deps;
  if (warehouseToken !== undefined) {
    app.register(async (warehouse) => registerWarehouseRoutes(warehouse, deps.clickhouse, warehouseToken));
  }

  return app;
}
