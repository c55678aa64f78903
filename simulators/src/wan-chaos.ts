import { createServer, type Server } from 'node:http';
import { ProxyError } from './errors.ts';
import { type CutMode, type WanLinkStatus, WanProxy } from './wan-proxy.ts';

export interface WanChaosOptions {
  /** Store id -> loopback port its agent dials for Kafka (0 = any free port). */
  stores: Record<string, number>;
  upstreamHost: string;
  upstreamPort: number;
  /** Loopback port of the HTTP control API (POST /links/<store>/cut?mode=..., POST /links/<store>/restore, GET /links). */
  controlPort: number | null;
}

/** The WAN links of a set of stores, each its own proxy, cut and restored by store id (in code or over HTTP). */
export class WanChaos {
  readonly #proxies: Map<string, WanProxy>;
  readonly #control: Server | null;

  private constructor(proxies: Map<string, WanProxy>, control: Server | null) {
    this.#proxies = proxies;
    this.#control = control;
  }

  static async start(options: WanChaosOptions): Promise<WanChaos> {
    const proxies = new Map<string, WanProxy>();
    try {
      for (const [storeId, listenPort] of Object.entries(options.stores)) {
        const proxy = await WanProxy.start({
          name: storeId,
          listenPort,
          upstreamHost: options.upstreamHost,
          upstreamPort: options.upstreamPort,
        });
        proxies.set(storeId, proxy);
      }
    } catch (error) {
      await Promise.all([...proxies.values()].map((p) => p.close()));
      throw error;
    }
    const chaos = new WanChaos(proxies, options.controlPort === null ? null : createServer());
    if (chaos.#control !== null) await chaos.#listen(chaos.#control, options.controlPort as number);
    return chaos;
  }

  /** The `host:port` an agent of `storeId` must dial instead of the broker (its kafka.tunnels entry). */
  addressOf(storeId: string): string {
    return `127.0.0.1:${this.#link(storeId).port}`;
  }

  cut(storeId: string, mode: CutMode = 'reset'): WanLinkStatus {
    const link = this.#link(storeId);
    link.cut(mode);
    return link.status();
  }

  restore(storeId: string): WanLinkStatus {
    const link = this.#link(storeId);
    link.restore();
    return link.status();
  }

  status(): WanLinkStatus[] {
    return [...this.#proxies.values()].map((p) => p.status());
  }

  async close(): Promise<void> {
    const control = this.#control;
    if (control !== null) {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    }
    await Promise.all([...this.#proxies.values()].map((p) => p.close()));
  }

  #link(storeId: string): WanProxy {
    const link = this.#proxies.get(storeId);
    if (link === undefined) {
      throw new ProxyError(`no WAN link for store "${storeId}"; known: ${[...this.#proxies.keys()].join(', ')}`);
    }
    return link;
  }

  async #listen(server: Server, port: number): Promise<void> {
    server.on('request', (request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const match = /^\/links\/([^/]+)\/(cut|restore)$/.exec(url.pathname);
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify(body)}\n`);
      };
      try {
        if (request.method === 'GET' && url.pathname === '/links') return reply(200, this.status());
        if (request.method === 'POST' && match?.[1] !== undefined) {
          const storeId = decodeURIComponent(match[1]);
          const mode = url.searchParams.get('mode') ?? 'reset';
          if (mode !== 'reset' && mode !== 'blackhole') return reply(400, { error: 'mode must be reset or blackhole' });
          return reply(200, match[2] === 'cut' ? this.cut(storeId, mode) : this.restore(storeId));
        }
        return reply(404, {
          error: 'GET /links, POST /links/<store>/cut?mode=reset|blackhole, POST /links/<store>/restore',
        });
      } catch (error) {
        return reply(404, { error: (error as Error).message });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(new ProxyError(`WAN control API cannot listen on 127.0.0.1:${port}`, { cause: error })),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
  }
}
