import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStack } from '@tillgate/shared/local-stack';
import mqtt, { type MqttClient } from 'mqtt';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { parseEdgeConfig } from '../../edge/src/config.ts';
import { hashPassword as hashTerminalPassword } from '../../edge/src/security/password-hash.ts';
import {
  createClickHouse,
  type HubConfig,
  hashPassword,
  hubConfigSchema,
  type RunningHub,
  startHub,
  UserFile,
} from '../../hub/src/index.ts';
import { WanChaos } from '../../simulators/src/wan-chaos.ts';
import { writeSignedTinyModel } from '../edge/tiny-onnx-model.ts';

// The dashboard's browser tests and benchmarks run against this: the hub (ClickHouse consumer + API
// with the built dashboard, chDB in this process) on its own topics, and 3 edge agents, each behind
// its own WAN proxy, beating every second. Agents score with the signed tiny model (risk =
// sigmoid(2 - on_hand), so on-hand 0 raises at 0.88 > 0.7): a test can empty a shelf and know an
// alert follows. Users: admin, and manager-001 for store-001.

export const dashboardStores = ['store-001', 'store-002', 'store-003'];
export const dashboardPassword = 'dashboard test password';
const heartbeatMs = 1_000;
// A silent store turns red one heartbeat plus the hub default's 5 s margin (Kafka delivery + ingest,
// which a loaded machine stretches) after its last beat.
export const onlineWithinSeconds = 6;
const terminalPassword = 'dashboard-terminal-secret';
const terminalPasswordHash = await hashTerminalPassword(terminalPassword);

export interface DashboardStack {
  url: string;
  config: HubConfig;
  chaos: WanChaos;
  agents: Map<string, RunningAgent>;
  /** An MQTT connection as terminal `pos-01` of the store. */
  terminal(storeId: string): Promise<MqttClient>;
  /** An MQTT connection as the store's alert display `display-01` (reads the alert topics). */
  display(storeId: string): Promise<MqttClient>;
  stop(): Promise<void>;
}

export async function startDashboardStack(): Promise<DashboardStack> {
  const id = randomUUID().slice(0, 8);
  const work = mkdtempSync(join(tmpdir(), `tillgate-dashboard-${id}-`));
  const broker = localStack.kafka.brokers[0] as string;
  const [brokerHost, brokerPort] = broker.split(':') as [string, string];
  const topicPrefix = `dash-${id}.`;
  const config = hubConfigSchema.parse({
    kafka: { brokers: [broker], clientId: 'tillgate-dashboard-test', logLevel: 'error' },
    topicPrefix,
    topics: { partitions: 3 },
    clickhouse: { dataPath: join(work, 'chdb') },
    ingest: { groupId: `dash-${id}-clickhouse`, minBatchBytes: 1, maxWaitMs: 50 },
    api: {
      port: 0,
      onlineWithinSeconds,
      auth: { usersFile: join(work, 'users.json'), sessionKeyFile: join(work, 'session.key') },
    },
    logLevel: 'warn',
  });
  const users = new UserFile(config.api.auth.usersFile);
  const passwordHash = await hashPassword(dashboardPassword);
  const createdAt = new Date().toISOString();
  users.add({ username: 'admin', role: 'admin', storeId: null, passwordHash, createdAt });
  users.add({ username: 'manager-001', role: 'store-manager', storeId: 'store-001', passwordHash, createdAt });

  const stops: Array<() => Promise<void>> = [async () => rmSync(work, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const hub: RunningHub = await startHub(config, { clickhouse: true, lake: false, api: true });
    stops.push(() => hub.stop());
    const chaos = await WanChaos.start({
      stores: Object.fromEntries(dashboardStores.map((store) => [store, 0])),
      upstreamHost: brokerHost,
      upstreamPort: Number(brokerPort),
      controlPort: null,
    });
    stops.push(() => chaos.close());
    const model = writeSignedTinyModel(work);
    const agents = new Map<string, RunningAgent>();
    for (const storeId of dashboardStores) {
      const dataDir = join(work, storeId);
      mkdirSync(dataDir);
      const agent = await startAgent(
        parseEdgeConfig({
          storeId,
          dataDir,
          logLevel: 'error',
          mqtt: {
            mode: 'embedded',
            port: 0,
            terminals: [{ id: 'pos-01', passwordHash: terminalPasswordHash }],
            displays: [{ id: 'display-01', passwordHash: terminalPasswordHash }],
          },
          kafka: {
            brokers: [broker],
            topicPrefix,
            tunnels: { [broker]: chaos.addressOf(storeId) },
            idleMs: 20,
            backoffInitialMs: 100,
            backoffMaxMs: 1_000,
            connectionTimeoutMs: 1_000,
            requestTimeoutMs: 5_000,
          },
          heartbeat: { intervalMs: heartbeatMs },
          status: { port: 0 },
          model: { dir: model.dir, trustedKeys: [model.pin] },
        }),
      );
      agents.set(storeId, agent);
      stops.push(() => agent.stop());
    }
    const clients: MqttClient[] = [];
    stops.push(async () => {
      await Promise.all(clients.map((client) => client.endAsync()));
    });
    const connect = async (storeId: string, account: string) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${agents.get(storeId)?.mqttPort}`, {
        clientId: `${storeId}-${account}-${randomUUID().slice(0, 6)}`,
        username: account,
        password: terminalPassword,
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    };
    return {
      url: hub.apiUrl ?? '',
      config,
      chaos,
      agents,
      terminal: (storeId) => connect(storeId, 'pos-01'),
      display: (storeId) => connect(storeId, 'display-01'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A second ClickHouse handle on the stack's chDB (same process), for seeding what DAGs would write. */
export const stackClickHouse = (stack: DashboardStack) => createClickHouse(stack.config.clickhouse);
