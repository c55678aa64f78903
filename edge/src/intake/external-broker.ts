import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, mqttTopics } from '@tillgate/shared';
import mqtt from 'mqtt';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { MqttIntake } from './mqtt-intake.ts';
import type { PosIntake, ReplySink } from './pos-intake.ts';
import type { RejectReply } from './pos-message.ts';

export interface ExternalBrokerOptions {
  storeId: string;
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
}

/** How long a refused message (disk full) waits before the agent tries to commit it again. */
const refusedRetryMs = 1_000;

/**
 * External-broker mode (Mosquitto, EMQX…): the agent subscribes to every terminal's events topic
 * with QoS 1 on a persistent session (clean: false, fixed client id), so the broker keeps what the
 * agent has not acknowledged while it is down. mqtt.js' `handleMessage` hook holds our PUBACK to the
 * broker until the group commit is durable; a message refused for lack of disk is not acknowledged
 * and is retried in place — the broker keeps it meanwhile.
 * The broker's own ACLs restrict terminals to their topics; the agent still checks that the event's
 * terminal_id matches the topic it arrived on.
 */
export async function startExternalBroker(
  options: ExternalBrokerOptions,
  makeIntake: (reply: ReplySink) => PosIntake,
  log: Logger,
): Promise<MqttIntake> {
  let closing = false;
  const topicPattern = new RegExp(`^tillgate/${escapeRegExp(options.storeId)}/pos/([^/]+)/events$`);
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    reconnectPeriod: 1_000,
  });
  const intake = makeIntake((terminalId: string, reply: RejectReply) => {
    client
      .publishAsync(mqttTopics.posReplies(options.storeId, terminalId), JSON.stringify(reply), { qos: 1 })
      .catch((error) => log.warn({ err: error, terminalId }, 'could not publish a reply'));
  });
  // mqtt.js sends the PUBACK for a QoS 1 message only after handleMessage calls back (its
  // customHandleAcks option would do the same but only under MQTT 5). Set before the connection
  // opens: a persistent session delivers what waited in the broker right after CONNACK.
  client.handleMessage = (packet, callback) => {
    const terminalId = packet.cmd === 'publish' ? topicPattern.exec(packet.topic)?.[1] : undefined;
    if (packet.cmd !== 'publish' || terminalId === undefined) {
      callback();
      return;
    }
    void (async () => {
      for (;;) {
        try {
          await intake.accept(packet.topic, terminalId, Buffer.from(packet.payload));
          callback();
          return;
        } catch (error) {
          if (closing) return;
          const full = error instanceof EdgeError && error.code === edgeErrorCodes.diskFull;
          log.warn({ err: error, terminalId }, full ? 'buffer full; holding a message' : 'commit failed; retrying');
          await sleep(refusedRetryMs);
        }
      }
    })();
  };
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  client.on('error', (error) => log.warn({ err: error }, 'external MQTT broker error'));
  await client.subscribeAsync(mqttTopics.posEventsWildcard(options.storeId), { qos: 1 });
  log.info({ url: options.url }, 'subscribed to POS events on the external MQTT broker');

  return {
    intake,
    publishAlert: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1, retain: true });
    },
    async close() {
      closing = true;
      await client.endAsync();
    },
  };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
