import { randomUUID } from 'node:crypto';
import { localStack } from '@tillgate/shared/local-stack';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Talks to the real Mosquitto of deploy/local (password file + ACL), never to an in-process broker:
// the edge intake must work against the broker a store actually runs.
const START_COMMAND = 'bash deploy/local/mosquitto.sh start';
const baseOptions: IClientOptions = {
  username: localStack.mqtt.username,
  password: localStack.mqtt.password,
  // Fail at once instead of retrying, so a wrong password or a stopped broker is a clear error.
  reconnectPeriod: 0,
  connectTimeout: 5_000,
};
const clients: MqttClient[] = [];

async function connect(options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(localStack.mqtt.url, { ...baseOptions, ...options });
  clients.push(client);
  return client;
}

function nextMessage(client: MqttClient, topic: string): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve) => {
    client.on('message', (received, payload, packet) => {
      if (received === topic) resolve({ payload: payload.toString('utf8'), retain: packet.retain });
    });
  });
}

const uniqueTopic = (name: string): string => `tillgate/test/${name}/${randomUUID()}`;

describe('Mosquitto (deploy/local/mosquitto.sh)', () => {
  beforeAll(async () => {
    try {
      await connect();
    } catch (error) {
      throw new Error(
        `Mosquitto is not reachable at ${localStack.mqtt.url} with the local account; run \`${START_COMMAND}\``,
        { cause: error },
      );
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  });

  it('round-trips an authenticated QoS 1 message on a unique topic', async () => {
    const topic = uniqueTopic('qos1');
    const subscriber = await connect();
    const granted = await subscriber.subscribeAsync(topic, { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const received = nextMessage(subscriber, topic);

    const publisher = await connect();
    const payload = JSON.stringify({ sale: randomUUID(), qty: 3 });
    await publisher.publishAsync(topic, payload, { qos: 1 });

    expect((await received).payload).toBe(payload);
  });

  it('refuses a wrong password with CONNACK not authorized', async () => {
    const attempt = mqtt.connectAsync(localStack.mqtt.url, { ...baseOptions, password: 'wrong-password' });
    // MQTT 3.1.1 return code 5: "Connection Refused, not authorized" (Mosquitto's answer to a bad password).
    await expect(attempt).rejects.toMatchObject({ code: 5 });
  });

  it('delivers a retained message to a subscriber that arrives later', async () => {
    const topic = uniqueTopic('retained');
    const publisher = await connect();
    await publisher.publishAsync(topic, 'last-known-state', { qos: 1, retain: true });

    const lateSubscriber = await connect();
    const received = nextMessage(lateSubscriber, topic);
    await lateSubscriber.subscribeAsync(topic, { qos: 1 });
    expect(await received).toEqual({ payload: 'last-known-state', retain: true });

    // An empty retained payload deletes the retained message, so test runs leave no state behind.
    await publisher.publishAsync(topic, '', { qos: 1, retain: true });
  });
});
