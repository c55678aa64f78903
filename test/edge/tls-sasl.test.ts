import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaClient, KafkaProducer } from '@tillgate/shared/kafka';
import { localStack } from '@tillgate/shared/local-stack';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../edge/src/agent.ts';
import { type EdgeTestBed, edgeTestBed, publishEvent, terminalPassword, terminalPasswordHash } from './harness.ts';
import { saleEvent } from './pos-events.ts';
import { type TestCa, testCa } from './tls-files.ts';

// Issue 12's doors for real: a terminal publishes over mqtts to the embedded broker, the agent forwards
// over SASL_SSL (SCRAM-SHA-512, private CA) to the local Kafka's SASL_SSL listener (deploy/local/kafka.sh).
// Refusals: a wrong SCRAM password, a broker certificate from another CA, an mqtts client that does not
// trust the store's CA.
const sasl = localStack.kafkaSaslSsl;
const saslSettings = (password: string, caFile: string) => ({
  brokers: [...sasl.brokers],
  clientId: 'tillgate-tls-test',
  ssl: { caFile },
  sasl: { mechanism: 'scram-sha-512' as const, username: sasl.username, password },
  retries: 1,
  initialRetryMs: 50,
});

describe('mqtts in, SASL_SSL out', () => {
  let bed: EdgeTestBed;
  let agent: RunningAgent;
  let storeCa: TestCa;
  let otherCa: TestCa;

  beforeAll(async () => {
    bed = await edgeTestBed('tls');
    storeCa = testCa(join(bed.dataDir, 'store-ca'));
    otherCa = testCa(join(bed.dataDir, 'other-ca'));
    const broker = storeCa.issue('mqtt-broker');
    agent = await startAgent(
      bed.config({
        mqtt: {
          mode: 'embedded',
          port: null,
          tls: { ...broker, port: 0 },
          terminals: [{ id: 't1', passwordHash: terminalPasswordHash }],
        },
        kafka: {
          ...saslSettings(sasl.password, sasl.caFile),
          clientId: 'tillgate-edge',
          topicPrefix: bed.topicPrefix,
          idleMs: 20,
          backoffInitialMs: 100,
          backoffMaxMs: 1_000,
        },
      }),
    );
  });
  afterAll(async () => {
    await agent?.stop();
    await bed?.cleanup();
  });

  it('takes a sale over mqtts and forwards it over SASL_SSL', async () => {
    expect(agent.mqttPort).toBeNull();
    const terminal = await mqtt.connectAsync(`mqtts://127.0.0.1:${agent.mqttTlsPort}`, {
      username: 't1',
      password: terminalPassword,
      ca: readFileSync(storeCa.caFile),
      reconnectPeriod: 0,
    });
    const sale = saleEvent(bed.storeId, 't1', 1);
    await publishEvent(terminal, sale);
    await terminal.endAsync();
    const [record] = await bed.consume('sales-transactions', 1);
    expect(JSON.parse(record?.value ?? '{}').event_id).toBe(sale.event_id);
  });

  it('refuses an mqtts client that does not trust the store CA', async () => {
    const attempt = mqtt.connectAsync(`mqtts://127.0.0.1:${agent.mqttTlsPort}`, {
      username: 't1',
      password: terminalPassword,
      ca: readFileSync(otherCa.caFile),
      reconnectPeriod: 0,
    });
    await expect(attempt).rejects.toThrow(/self-signed certificate in certificate chain|unable to verify/);
  });

  it('refuses a wrong SCRAM password, naming the failed authentication', async () => {
    const producer = new KafkaProducer(createKafkaClient(saslSettings('wrong-password', sasl.caFile)));
    await expect(producer.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await producer.disconnect().catch(() => undefined);
  });

  it('refuses a broker whose certificate comes from another CA', async () => {
    const producer = new KafkaProducer(createKafkaClient(saslSettings(sasl.password, otherCa.caFile)));
    await expect(producer.connect()).rejects.toThrow(/self-signed certificate in certificate chain|unable to verify/);
    await producer.disconnect().catch(() => undefined);
  });
});
