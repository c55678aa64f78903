import { createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ephemeralRangeStart, freePort } from './free-port.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      servers.push(server);
      resolve(server);
    });
  });

it('picks ports outside the range the kernel hands to listen(0) and outgoing connections', async () => {
  // Regression: listen(0)-and-close returned an ephemeral port, which the kernel gave to another
  // process before the restarted agent could bind it (EADDRINUSE in CI under load).
  const start = ephemeralRangeStart();
  for (let n = 0; n < 20; n++) {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(start);
    const implicit = (await listen(0)).address();
    expect(typeof implicit === 'object' && implicit !== null && implicit.port).toBeGreaterThanOrEqual(start);
  }
});

it('returns a port that can be bound, and never one already taken', async () => {
  const taken = new Set<number>();
  for (let n = 0; n < 20; n++) {
    const port = await freePort();
    expect(taken.has(port)).toBe(false);
    await listen(port);
    taken.add(port);
  }
});
