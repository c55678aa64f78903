import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, mqttTopics } from '@tillgate/shared';
import mqtt from 'mqtt';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { FeedbackIntake } from './feedback-intake.ts';
import type { MqttIntake } from './mqtt-intake.ts';
import type { PosIntake, ReplySink } from './pos-intake.ts';
import type { RejectReply } from './pos-message.ts';
import type { ZReportIntake, ZReportReply } from './z-report-intake.ts';

export interface ExternalBrokerOptions {
  storeId: string;
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM CA of an mqtts broker; the system CAs when absent. */
  caFile?: string | undefined;
  clientId: string;
}

/** How long a refused message (disk full) waits before the agent tries to commit it again. */
const refusedRetryMs = 1_000;

/**
 * External-broker mode (Mosquitto, EMQX…): the agent subscribes to every terminal's events topic
 * with QoS 1 on a persistent session (clean: false, fixed client id), so the broker keeps what the
 * agent has not acknowledged while it is down. Our PUBACK to the broker follows the group commit
 * (see handleMessage below); a message refused for lack of disk is not acknowledged and is retried
 * in place — the broker keeps it meanwhile. Broker settings this relies on: edge/README.md.
 * The broker's own ACLs restrict terminals to their topics; the agent still checks that the event's
 * terminal_id matches the topic it arrived on.
 */
export async function startExternalBroker(
  options: ExternalBrokerOptions,
  makeIntake: (reply: ReplySink) => PosIntake,
  feedback: FeedbackIntake,
  zReports: ZReportIntake,
  log: Logger,
): Promise<MqttIntake> {
  let closing = false;
  const topicPattern = new RegExp(`^tillgate/${escapeRegExp(options.storeId)}/pos/([^/]+)/events$`);
  const zReportPattern = new RegExp(`^tillgate/${escapeRegExp(options.storeId)}/pos/([^/]+)/z-report$`);
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.caFile === undefined ? {} : { ca: readFileSync(options.caFile) }),
    reconnectPeriod: 1_000,
  });
  const reply = (terminalId: string, answer: RejectReply | ZReportReply) => {
    client
      .publishAsync(mqttTopics.posReplies(options.storeId, terminalId), JSON.stringify(answer), { qos: 1 })
      .catch((error) => log.warn({ err: error, terminalId }, 'could not publish a reply'));
  };
  const intake = makeIntake(reply);
  // Group commit needs many messages in flight at once, but mqtt.js hands them over one at a time:
  // it parses the next packet only after handleMessage's callback and its own PUBACK (handlers/
  // publish.js, client.js `work`) — one fsync per message, ~90 events/s (bench/edge-intake.ts).
  // customHandleAcks runs in the same serial loop. So handleMessage calls back at once with
  // `ackAfterCommit`: on an error mqtt.js sends no PUBACK and goes on to the next packet. The agent
  // writes the PUBACK itself after the commit, on the very connection the message came on; if that
  // connection is gone the broker re-delivers it on the persistent session, and it is a duplicate.
  // Set before the connection opens: a persistent session delivers what waited right after CONNACK.
  client.handleMessage = (packet, callback) => {
    if (packet.cmd === 'publish' && packet.topic.endsWith('/feedback')) {
      // The broker's ACL decides who may answer; it does not tell the agent which display did. The
      // commit is synchronous, so mqtt.js' own PUBACK after this callback follows it.
      feedback.accept(packet.topic, externalDisplay, Buffer.from(packet.payload));
      callback();
      return;
    }
    const reporter = packet.cmd === 'publish' ? zReportPattern.exec(packet.topic)?.[1] : undefined;
    if (packet.cmd === 'publish' && reporter !== undefined) {
      // Acknowledged by the agent after the commit, as events are (see below); unacknowledged on a
      // failed commit, so the broker delivers the report again on the persistent session.
      const stream = client.stream;
      const messageId = packet.qos > 0 ? packet.messageId : undefined;
      callback(ackAfterCommit);
      zReports.accept(packet.topic, reporter, Buffer.from(packet.payload)).then(
        (answer) => {
          if (messageId !== undefined && client.stream === stream && !stream.destroyed) {
            stream.write(pubackPacket(messageId));
          }
          reply(reporter, answer);
        },
        (error: Error) =>
          log.error({ err: error, terminalId: reporter }, 'could not commit a Z-report; not acknowledged'),
      );
      return;
    }
    const terminalId = packet.cmd === 'publish' ? topicPattern.exec(packet.topic)?.[1] : undefined;
    if (packet.cmd !== 'publish' || terminalId === undefined) {
      callback();
      return;
    }
    const stream = client.stream;
    const messageId = packet.qos > 0 ? packet.messageId : undefined;
    callback(ackAfterCommit);
    void (async () => {
      for (;;) {
        try {
          await intake.accept(packet.topic, terminalId, Buffer.from(packet.payload));
          if (messageId !== undefined && client.stream === stream && !stream.destroyed) {
            stream.write(pubackPacket(messageId));
          }
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
  await client.subscribeAsync(mqttTopics.alertFeedbackWildcard(options.storeId), { qos: 1 });
  await client.subscribeAsync(mqttTopics.posZReportWildcard(options.storeId), { qos: 1 });
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

/** Tells mqtt.js not to send its own PUBACK: the agent sends it after the commit. */
const ackAfterCommit = new Error('acknowledged by the agent after its commit');

/**
 * MQTT PUBACK (3.1.1 section 3.4; also a valid MQTT 5 PUBACK, reason code omitted = success):
 * type 4 in the high nibble, remaining length 2, the packet identifier big-endian.
 */
function pubackPacket(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

/** display_id of answers that came through an external broker (its ACLs, not the agent, know who). */
const externalDisplay = 'external-broker';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
