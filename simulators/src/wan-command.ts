import { parseArgs } from 'node:util';
import { localStack } from '@tillgate/shared/local-stack';
import { integerOption, requiredOption } from './cli-options.ts';
import { ProxyError, SimulatorOptionError } from './errors.ts';
import { WanChaos } from './wan-chaos.ts';

/**
 * `wan serve --store store-001=19121 ... [--upstream <local Kafka>] [--control-port <TG_WAN_CONTROL_PORT>]`
 * `wan cut <store> [--mode reset|blackhole]`, `wan restore <store>`, `wan status` (talk to a running serve).
 */
export async function runWanCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string', multiple: true },
      upstream: { type: 'string' },
      'control-port': { type: 'string' },
      mode: { type: 'string' },
    },
  });
  const controlPort = integerOption('control-port', values['control-port'], localStack.wanControlPort, 1, 65_535);
  const [action, storeId] = positionals;
  if (action === 'serve') return serve(values.store ?? [], values.upstream ?? localStack.kafka.brokers[0], controlPort);
  if (action === 'status') return print(await call(controlPort, 'GET', '/links'));
  if (action === 'cut' || action === 'restore') {
    const store = requiredOption('store id (wan cut <store>)', storeId);
    const mode = action === 'cut' ? `?mode=${values.mode ?? 'reset'}` : '';
    return print(await call(controlPort, 'POST', `/links/${encodeURIComponent(store)}/${action}${mode}`));
  }
  throw new SimulatorOptionError('wan', 'expected serve, cut <store>, restore <store> or status');
}

async function serve(storeFlags: string[], upstream: string, controlPort: number): Promise<void> {
  const stores: Record<string, number> = {};
  for (const flag of storeFlags) {
    const match = /^([^=]+)=(\d+)$/.exec(flag);
    if (match?.[1] === undefined)
      throw new SimulatorOptionError('--store', `expected <store-id>=<port>, got "${flag}"`);
    stores[match[1]] = Number(match[2]);
  }
  if (Object.keys(stores).length === 0)
    throw new SimulatorOptionError('--store', 'name at least one <store-id>=<port>');
  const upstreamMatch = /^(.+):(\d+)$/.exec(upstream);
  if (upstreamMatch?.[1] === undefined)
    throw new SimulatorOptionError('--upstream', `expected host:port, got "${upstream}"`);
  const chaos = await WanChaos.start({
    stores,
    upstreamHost: upstreamMatch[1],
    upstreamPort: Number(upstreamMatch[2]),
    controlPort,
  });
  print({ control: `http://127.0.0.1:${controlPort}/links`, links: chaos.status() });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await chaos.close();
}

async function call(port: number, method: string, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  } catch (error) {
    throw new ProxyError(
      `no WAN chaos control API on 127.0.0.1:${port}; is \`wan serve\` (or the local stack) running?`,
      {
        cause: error,
      },
    );
  }
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new ProxyError(`${method} ${path}: ${JSON.stringify(body)}`);
  return body;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
