import type { FastifyInstance } from 'fastify';
import type { AlertFeed } from '../../dashboard/alert-feed.ts';
import { storeFilter, storeIdSchema } from '../store-access.ts';

const keepAliveMs = 15_000; // a comment line this often keeps proxies from closing an idle stream

/**
 * GET /api/alerts/stream: Server-Sent Events, one `alert` event per alert the hub stores, filtered
 * to the login's store scope. SSE, not WebSocket: one direction is all it needs, it reconnects by
 * itself (EventSource), and it passes the same cookie and the same auth hook as every other route.
 */
export function alertStreamRoute(api: FastifyInstance, feed: AlertFeed): void {
  api.get<{ Querystring: { store?: string } }>(
    '/alerts/stream',
    {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { store: storeIdSchema } } },
    },
    async (request, reply) => {
      const store = storeFilter(request, request.query.store);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      out.write(': connected\n\n');
      const unsubscribe = feed.subscribe((alert) => {
        if (store === '' || alert.store_id === store) out.write(`event: alert\ndata: ${JSON.stringify(alert)}\n\n`);
      });
      const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), keepAliveMs);
      request.raw.once('close', () => {
        clearInterval(keepAlive);
        unsubscribe();
      });
    },
  );
}
