import { parseArgs } from 'node:util';
import { localStack } from '@tillgate/shared/local-stack';
import { integerOption, requiredOption } from './cli-options.ts';
import { ProxyError, SimulatorOptionError } from './errors.ts';
import { WanChaos } from './wan-chaos.ts';

/**
 * `wan serve --store store-001=19121[,19221] ... [--upstream <local Kafka>] [--s3-upstream <local S3>]
 *  [--control-port <TG_WAN_CONTROL_PORT>]`: the second port is the store's link to the object store
 *  (its model downloads), cut and restored with its Kafka link.
 * `wan cut <store> [--mode reset|blackhole]`, `wan restore <store>`, `wan status` (talk to a running serve).
 */
export async function runWanCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string', multiple: true },
      upstream: { type: 'string' },
      's3-upstream': { type: 'string' },
      'control-port': { type: 'string' },
      mode: { type: 'string' },
    },
  });
  const controlPort = integerOption('control-port', values['control-port'], localStack.wanControlPort, 1, 65_535);
  const [action, storeId] = positionals;
  if (action === 'serve') {
    const s3 = values['s3-upstream'] ?? `${localStack.s3.endPoint}:${localStack.s3.port}`;
    return serve(values.store ?? [], values.upstream ?? localStack.kafka.brokers[0], s3, controlPort);
  }
  if (action === 'status') return print(await call(controlPort, 'GET', '/links'));
  if (action === 'cut' || action === 'restore') {
    const store = requiredOption('store id (wan cut <store>)', storeId);
    const mode = action === 'cut' ? `?mode=${values.mode ?? 'reset'}` : '';
    return print(await call(controlPort, 'POST', `/links/${encodeURIComponent(store)}/${action}${mode}`));
  }
  throw new SimulatorOptionError('wan', 'expected serve, cut <store>, restore <store> or status');
}

async function serve(storeFlags: string[], upstream: string, s3Upstream: string, controlPort: number): Promise<void> {
  const stores: Record<string, number> = {};
  const objectStores: Record<string, number> = {};
  for (const flag of storeFlags) {
    const match = /^([^=]+)=(\d+)(?:,(\d+))?$/.exec(flag);
    if (match?.[1] === undefined)
      throw new SimulatorOptionError('--store', `expected <store-id>=<kafka port>[,<s3 port>], got "${flag}"`);
    stores[match[1]] = Number(match[2]);
    if (match[3] !== undefined) objectStores[match[1]] = Number(match[3]);
  }
  if (Object.keys(stores).length === 0)
    throw new SimulatorOptionError('--store', 'name at least one <store-id>=<port>');
  const [kafkaHost, kafkaPort] = hostPort('--upstream', upstream);
  const [s3Host, s3Port] = hostPort('--s3-upstream', s3Upstream);
  const chaos = await WanChaos.start({
    stores,
    upstreamHost: kafkaHost,
    upstreamPort: kafkaPort,
    objectStore: { upstreamHost: s3Host, upstreamPort: s3Port, stores: objectStores },
    controlPort,
  });
  print({ control: `http://127.0.0.1:${controlPort}/links`, links: chaos.status() });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await chaos.close();
}

function hostPort(flag: string, value: string): [string, number] {
  const match = /^(.+):(\d+)$/.exec(value);
  if (match?.[1] === undefined) throw new SimulatorOptionError(flag, `expected host:port, got "${value}"`);
  return [match[1], Number(match[2])];
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
