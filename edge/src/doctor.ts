import { accessSync, constants, statSync } from 'node:fs';
import { type EdgeConfig, kafkaConnection } from './config.ts';
import { KafkaLink } from './forwarder/kafka-link.ts';
import { defaultModelDir, verifyModelDir } from './scoring/index.ts';
import { loadTrustedKeys } from './updater/trusted-keys.ts';

// `tillgate-edge doctor`: what retail IT checks after installing or changing a store's config. Each
// check says what is wrong and what to do; `fail` means the agent cannot work as configured, `warn`
// that it works but a door is open (plain MQTT on the LAN, Kafka without TLS).

export interface DoctorCheck {
  level: 'ok' | 'warn' | 'fail';
  check: string;
  detail: string;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export async function runDoctor(config: EdgeConfig, configFile: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (level: DoctorCheck['level'], check: string, detail: string) => checks.push({ level, check, detail });

  const mode = statSync(configFile).mode & 0o777;
  if ((mode & 0o007) !== 0) {
    add('warn', 'config file', `${configFile} is open to every user (mode ${octal(mode)}); chmod 0640 it`);
  } else add('ok', 'config file', `${configFile} mode ${octal(mode)}`);

  try {
    accessSync(config.dataDir, constants.W_OK);
    add('ok', 'data directory', `${config.dataDir} is writable`);
  } catch (error) {
    add('fail', 'data directory', `${config.dataDir}: ${(error as Error).message}`);
  }

  try {
    // The configured (or bundled) model against the pinned keys; the updater may run a newer one.
    const keys = [...loadTrustedKeys(config.model.trustedKeys).values()].map((key) => key.pem);
    const { manifest } = await verifyModelDir(config.model.dir ?? defaultModelDir, keys);
    add('ok', 'model', `${manifest.name} ${manifest.version}: signature and hash verified`);
  } catch (error) {
    add('fail', 'model', (error as Error).message);
  }

  checkMqtt(config, add);
  await checkKafka(config, add);
  return checks;
}

function checkMqtt(
  config: EdgeConfig,
  add: (level: DoctorCheck['level'], check: string, detail: string) => void,
): void {
  const mqtt = config.mqtt;
  if (mqtt.mode === 'external') {
    const plain = !mqtt.url.startsWith('mqtts://') && !mqtt.url.startsWith('wss://');
    const host = new URL(mqtt.url).hostname;
    if (plain && !loopbackHosts.has(host)) {
      add(
        'warn',
        'mqtt',
        `${mqtt.url} is plain MQTT to another machine: logins and sales cross the LAN in clear; use mqtts://`,
      );
    } else add('ok', 'mqtt', `external broker ${mqtt.url}`);
    return;
  }
  for (const key of ['certFile', 'keyFile'] as const) {
    const file = mqtt.tls?.[key];
    if (file === undefined) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      add('fail', 'mqtt tls', `mqtt.tls.${key}: ${(error as Error).message}`);
    }
  }
  if (mqtt.port !== null && !loopbackHosts.has(mqtt.host)) {
    add(
      'warn',
      'mqtt',
      `plain MQTT listener on ${mqtt.host}:${mqtt.port}: terminal passwords and sales cross the store LAN in clear; ` +
        'set mqtt.tls { certFile, keyFile } and "port": null once every terminal speaks mqtts',
    );
  } else {
    add(
      'ok',
      'mqtt',
      mqtt.tls === undefined ? `loopback only (${mqtt.host})` : `mqtts on ${mqtt.host}:${mqtt.tls.port}`,
    );
  }
}

async function checkKafka(
  config: EdgeConfig,
  add: (level: DoctorCheck['level'], check: string, detail: string) => void,
): Promise<void> {
  const kafka = config.kafka;
  if (kafka.ssl === false) add('warn', 'kafka tls', 'kafka.ssl is off: events and heartbeats cross the WAN in clear');
  else if (kafka.sasl === undefined)
    add('warn', 'kafka sasl', 'no kafka.sasl: the hub cannot tell this store from anyone');
  else add('ok', 'kafka security', `TLS + SASL ${kafka.sasl.mechanism} as ${kafka.sasl.username}`);
  // A heartbeat-sized probe through the agent's own link: same TLS, SASL and tunnels as the forwarder.
  const link = new KafkaLink({ ...kafkaConnection(kafka, config.storeId), retries: 1 }, kafka.topicPrefix);
  try {
    await link.connect();
    add('ok', 'kafka', `connected to ${kafka.brokers.join(', ')}`);
  } catch (error) {
    // A store may be offline for days and still take sales: that is a warning, not a failure.
    add('warn', 'kafka', `cannot reach ${kafka.brokers.join(', ')} now: ${(error as Error).message}`);
  } finally {
    await link.reset();
  }
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');
