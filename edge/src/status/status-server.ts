import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AgentStatus } from './agent-status.ts';

/**
 * The request handler, separate from listen() so tests drive it without a port. Read-only: GET
 * /status (everything) and GET /health (200 when ok, 503 when degraded, for a service monitor).
 */
export function statusHandler(status: () => AgentStatus) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const send = (code: number, body: unknown) => {
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      send(405, { error: 'only GET is served' });
    } else if (path === '/status') {
      send(200, status());
    } else if (path === '/health') {
      const current = status();
      send(current.health === 'ok' ? 200 : 503, { health: current.health, backlog: current.backlog });
    } else {
      send(404, { error: 'not found; try GET /status or GET /health' });
    }
  };
}

/** Listens on a loopback address only (the config schema refuses any other host). */
export async function startStatusServer(host: string, port: number, status: () => AgentStatus): Promise<Server> {
  const server = createServer(statusHandler(status));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
