import { createServer, type Server } from 'node:http';
import { ProxyError } from './errors.ts';
import { type CutMode, type WanLinkStatus, WanProxy } from './wan-proxy.ts';

export interface WanChaosOptions {
  /** Store id -> loopback port its agent dials for Kafka (0 = any free port). */
  stores: Record<string, number>;
  upstreamHost: string;
  upstreamPort: number;
  /**
   * The object store the agents download models from (presigned S3 URLs), behind the same per-store
   * link: a cut stops a store's downloads as it stops its Kafka traffic. Store id -> loopback port
   * its agent dials instead (its updater.download.tunnels entry; 0 = any free port).
   */
  objectStore?: { upstreamHost: string; upstreamPort: number; stores: Record<string, number> };
  /** Loopback port of the HTTP control API (POST /links/<store>/cut?mode=..., POST /links/<store>/restore, GET /links). */
  controlPort: number | null;
}

/** One store's WAN: its Kafka link and, when the stack has one, its object-store link; cut together. */
interface StoreLinks {
  kafka: WanProxy;
  objectStore: WanProxy | null;
}

const linksOf = (store: StoreLinks): WanProxy[] =>
  store.objectStore === null ? [store.kafka] : [store.kafka, store.objectStore];

/** The WAN links of a set of stores, each its own proxies, cut and restored by store id (in code or over HTTP). */
export class WanChaos {
  readonly #proxies: Map<string, StoreLinks>;
  readonly #control: Server | null;

  private constructor(proxies: Map<string, StoreLinks>, control: Server | null) {
    this.#proxies = proxies;
    this.#control = control;
  }

  static async start(options: WanChaosOptions): Promise<WanChaos> {
    const proxies = new Map<string, StoreLinks>();
    const objectStore = options.objectStore;
    const unknown = Object.keys(objectStore?.stores ?? {}).filter((storeId) => !(storeId in options.stores));
    if (unknown.length > 0) {
      throw new ProxyError(`object-store links for stores without a Kafka link: ${unknown.join(', ')}`);
    }
    try {
      for (const [storeId, listenPort] of Object.entries(options.stores)) {
        const kafka = await WanProxy.start({
          name: storeId,
          listenPort,
          upstreamHost: options.upstreamHost,
          upstreamPort: options.upstreamPort,
        });
        const links: StoreLinks = { kafka, objectStore: null };
        proxies.set(storeId, links);
        const objectPort = objectStore?.stores[storeId];
        if (objectStore !== undefined && objectPort !== undefined) {
          links.objectStore = await WanProxy.start({
            name: `${storeId}/object-store`,
            listenPort: objectPort,
            upstreamHost: objectStore.upstreamHost,
            upstreamPort: objectStore.upstreamPort,
          });
        }
      }
    } catch (error) {
      await Promise.all([...proxies.values()].flatMap(linksOf).map((p) => p.close()));
      throw error;
    }
    const chaos = new WanChaos(proxies, options.controlPort === null ? null : createServer());
    if (chaos.#control !== null) await chaos.#listen(chaos.#control, options.controlPort as number);
    return chaos;
  }

  /** The `host:port` an agent of `storeId` must dial instead of the broker (its kafka.tunnels entry). */
  addressOf(storeId: string): string {
    return `127.0.0.1:${this.#link(storeId).kafka.port}`;
  }

  /** The `host:port` an agent of `storeId` dials instead of the object store (its updater.download.tunnels entry). */
  objectStoreAddressOf(storeId: string): string {
    const link = this.#link(storeId).objectStore;
    if (link === null) throw new ProxyError(`store "${storeId}" has no object-store link (start with objectStore)`);
    return `127.0.0.1:${link.port}`;
  }

  /** Cuts every link of the store (Kafka and model downloads); returns their states. */
  cut(storeId: string, mode: CutMode = 'reset'): WanLinkStatus[] {
    const links = linksOf(this.#link(storeId));
    for (const link of links) link.cut(mode);
    return links.map((link) => link.status());
  }

  restore(storeId: string): WanLinkStatus[] {
    const links = linksOf(this.#link(storeId));
    for (const link of links) link.restore();
    return links.map((link) => link.status());
  }

  status(): WanLinkStatus[] {
    return [...this.#proxies.values()].flatMap(linksOf).map((p) => p.status());
  }

  async close(): Promise<void> {
    const control = this.#control;
    if (control !== null) {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    }
    await Promise.all([...this.#proxies.values()].flatMap(linksOf).map((p) => p.close()));
  }

  #link(storeId: string): StoreLinks {
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
