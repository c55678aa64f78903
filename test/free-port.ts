import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A loopback TCP port for a process that binds it later (a child-process agent, a service the test
// starts). The usual trick, listen(0) and close, hands back a port from the kernel's ephemeral range,
// and the kernel hands that same port to the next outgoing connection or listen(0) of any process on
// the machine. Under CI load a restarted agent then failed with EADDRINUSE on its status port
// (2026-12-02). Ports below the ephemeral range are never handed out implicitly, so a free one there
// stays free until someone asks for it by number.

/** Above the local stack's fixed ports (deploy/local/ports.env: 11883..19320) and the usual services. */
const lowestPort = 20_000;

/** The first port of the kernel's ephemeral range (Linux default 32768). */
export function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const start = Number(low);
    return Number.isInteger(start) && start > 0 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

/** A port in [20000, ephemeral start) that 127.0.0.1 can bind right now, picked at random. */
export async function freePort(): Promise<number> {
  const until = ephemeralRangeStart();
  if (until - lowestPort < 1_000) {
    throw new Error(
      `the ephemeral port range starts at ${until}: fewer than 1000 ports left above ${lowestPort} for tests`,
    );
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = randomInt(lowestPort, until);
    if (await bindable(port)) return port;
  }
  throw new Error(`no bindable loopback port in [${lowestPort}, ${until}) after 100 tries`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
