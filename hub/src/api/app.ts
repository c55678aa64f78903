import Fastify, { type FastifyInstance } from 'fastify';
import type { ClickHouseClient } from '../clickhouse.ts';
import type { GroupLag } from '../fleet/consumer-lag.ts';
import { fleetState } from '../fleet/fleet-state.ts';

export interface ApiDeps {
  clickhouse: ClickHouseClient;
  /** Lag of the hub's consumer groups; injected so the app needs no Kafka in its own tests. */
  lag: () => Promise<GroupLag[]>;
  onlineWithinSeconds: number;
  now?: () => Date;
}

/**
 * The hub's HTTP API for the ops dashboard. A factory without listen(), so tests drive it with
 * inject() and the CLI decides where it listens.
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  const now = deps.now ?? (() => new Date());

  app.get('/health', async () => {
    await deps.clickhouse.ping();
    return { ok: true };
  });

  app.get('/fleet', async () => {
    const stores = await fleetState(deps.clickhouse, deps.onlineWithinSeconds, now());
    return { at: now().toISOString(), online: stores.filter((store) => store.online).length, stores };
  });

  app.get('/lag', async () => ({ groups: await deps.lag() }));

  app.get<{ Querystring: { store?: string; limit?: string } }>('/alerts', async (request, reply) => {
    const limit = Number(request.query.limit ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
      return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
    }
    const result = await deps.clickhouse.query({
      query: `SELECT alert_id, store_id, sku, state, risk, threshold, on_hand, model_name, model_version,
                     trigger_event_id, at
              FROM alerts
              WHERE {store:String} = '' OR store_id = {store:String}
              ORDER BY at DESC
              LIMIT 1 BY alert_id
              LIMIT {limit:UInt32}`,
      query_params: { store: request.query.store ?? '', limit },
      format: 'JSONEachRow',
    });
    return { alerts: await result.json() };
  });

  return app;
}
