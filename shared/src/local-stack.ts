import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The loopback addresses of the local stack (deploy/local). Parsed from deploy/local/ports.env so the
// shell scripts that start the services and the code that talks to them share one source of truth.
const portsFile = fileURLToPath(new URL('../../deploy/local/ports.env', import.meta.url));
// An untracked ports.local.env moves a whole checkout's stack to other ports (two clones side by side).
const localPortsFile = fileURLToPath(new URL('../../deploy/local/ports.local.env', import.meta.url));

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values[match[1]] = match[2].trim();
  }
  return values;
}

const env = {
  ...parseEnvFile(readFileSync(portsFile, 'utf8')),
  ...(existsSync(localPortsFile) ? parseEnvFile(readFileSync(localPortsFile, 'utf8')) : {}),
};
// Service data of deploy/local (lib.sh: TG_RUN), where kafka.sh keeps the CA of its SASL_SSL listener.
const runDir = process.env.TILLGATE_RUN ?? fileURLToPath(new URL('../../.run', import.meta.url));
const port = (key: string): number => Number(process.env[key] ?? env[key]);
const text = (key: string): string => process.env[key] ?? env[key] ?? '';

export const localStack = {
  kafka: { brokers: [`127.0.0.1:${port('TG_KAFKA_PORT')}`] },
  /** The same broker's SASL_SSL listener: TLS from a private CA, one SCRAM-SHA-512 account. */
  kafkaSaslSsl: {
    // TG_KAFKA_PORT + 2 unless set (deploy/local/lib.sh).
    brokers: [
      `127.0.0.1:${text('TG_KAFKA_SASL_PORT') === '' ? port('TG_KAFKA_PORT') + 2 : port('TG_KAFKA_SASL_PORT')}`,
    ],
    caFile: `${runDir}/kafka/tls/ca.pem`,
    username: text('TG_KAFKA_SASL_USER'),
    password: text('TG_KAFKA_SASL_PASSWORD'),
  },
  s3: {
    endPoint: '127.0.0.1',
    port: port('TG_S3_PORT'),
    useSSL: false,
    accessKey: text('TG_S3_ACCESS_KEY'),
    secretKey: text('TG_S3_SECRET_KEY'),
  },
  mqtt: {
    url: `mqtt://127.0.0.1:${port('TG_MOSQUITTO_PORT')}`,
    /** The probe account: tillgate/test/#, tillgate/_ready/# and tillgate/<store>/bench/# only. */
    username: text('TG_MQTT_USER'),
    password: text('TG_MQTT_PASSWORD'),
    /** The edge agent's account: reads events, writes replies and alerts. */
    agent: { username: text('TG_MQTT_AGENT_USER'), password: text('TG_MQTT_AGENT_PASSWORD') },
    /** Terminal accounts (user name = terminal id), each limited to its own topics. */
    terminals: text('TG_MQTT_TERMINALS').split(' ').filter(Boolean),
    terminalPassword: text('TG_MQTT_TERMINAL_PASSWORD'),
  },
  hubApiPort: port('TG_HUB_API_PORT'),
  /** The local stack's WAN chaos control API (`simulators/src/cli.ts wan cut|restore|status`). */
  wanControlPort: port('TG_WAN_CONTROL_PORT'),
} as const;
