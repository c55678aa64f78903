import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { ProxyError } from './errors.ts';

/**
 * How a cut link behaves. `reset`: connections are torn down and new ones refused at once (a router
 * that answers with RST). `blackhole`: sockets stay open but no byte moves either way, so the client
 * only notices through its own timeouts (a WAN that silently drops packets, the harder case).
 */
export type CutMode = 'reset' | 'blackhole';

export interface WanProxyOptions {
  /** Store this link belongs to, for errors and status. */
  name: string;
  /** Loopback port to listen on; 0 picks a free one (see `port`). */
  listenPort: number;
  upstreamHost: string;
  upstreamPort: number;
}

export interface WanLinkStatus {
  name: string;
  port: number;
  upstream: string;
  state: 'up' | CutMode;
  connections: number;
  bytesUp: number;
  bytesDown: number;
  cuts: number;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * One store's WAN link to the hub as a TCP proxy on loopback. The agent dials Kafka through it (the
 * Kafka client maps the broker's advertised address to this port, see `tunnels` in the shared Kafka
 * connection settings), so every broker connection, not just the bootstrap one, crosses the link.
 */
export class WanProxy {
  readonly #options: WanProxyOptions;
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #state: 'up' | CutMode = 'up';
  #bytesUp = 0;
  #bytesDown = 0;
  #cuts = 0;

  private constructor(options: WanProxyOptions, server: Server) {
    this.#options = options;
    this.#server = server;
    server.on('connection', (client) => this.#accept(client));
  }

  static async start(options: WanProxyOptions): Promise<WanProxy> {
    const server = createServer({ noDelay: true });
    const proxy = new WanProxy(options, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new ProxyError(`WAN proxy for ${options.name} cannot listen on 127.0.0.1:${options.listenPort}`, {
            cause: error,
          }),
        ),
      );
      server.listen(options.listenPort, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#options.listenPort;
  }

  get state(): 'up' | CutMode {
    return this.#state;
  }

  /** Cuts the link: every open connection and every new one fails the way `mode` says. */
  cut(mode: CutMode = 'reset'): void {
    if (this.#state !== 'up') return;
    this.#state = mode;
    this.#cuts++;
    for (const pair of this.#pairs) {
      if (mode === 'reset') this.#drop(pair);
      else {
        pair.client.pause();
        pair.upstream.pause();
      }
    }
  }

  /** Restores the link. Black-holed connections are dropped: their in-flight bytes are gone, as on a real WAN. */
  restore(): void {
    if (this.#state === 'up') return;
    this.#state = 'up';
    for (const pair of this.#pairs) this.#drop(pair);
  }

  status(): WanLinkStatus {
    return {
      name: this.#options.name,
      port: this.port,
      upstream: `${this.#options.upstreamHost}:${this.#options.upstreamPort}`,
      state: this.#state,
      connections: this.#pairs.size,
      bytesUp: this.#bytesUp,
      bytesDown: this.#bytesDown,
      cuts: this.#cuts,
    };
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) this.#drop(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#state === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect({ host: this.#options.upstreamHost, port: this.#options.upstreamPort, noDelay: true });
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    if (this.#state === 'blackhole') {
      // Accepted but silent: the client's connect succeeds and its requests time out.
      client.pause();
      upstream.pause();
    }
    client.on('data', (chunk: Buffer) => {
      this.#bytesUp += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('data', (chunk: Buffer) => {
      this.#bytesDown += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    upstream.on('drain', () => this.#state === 'up' && client.resume());
    client.on('drain', () => this.#state === 'up' && upstream.resume());
    const end = () => this.#drop(pair);
    client.on('close', end);
    upstream.on('close', end);
    // Errors surface to the Kafka client as a dropped connection; the proxy itself must not crash.
    client.on('error', end);
    upstream.on('error', end);
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
  }
}
