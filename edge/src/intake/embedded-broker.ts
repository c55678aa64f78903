import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { type Logger, mqttTopics } from '@tillgate/shared';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import type { FeedbackIntake } from './feedback-intake.ts';
import type { MqttIntake } from './mqtt-intake.ts';
import type { PosIntake, ReplySink } from './pos-intake.ts';
import type { RejectReply } from './pos-message.ts';

export interface EmbeddedBrokerOptions {
  storeId: string;
  host: string;
  port: number;
  terminals: readonly { id: string; password: string }[];
  displays: readonly { id: string; password: string }[];
}

type Account = { kind: 'terminal' | 'display'; id: string };

const notAuthorized = 5;

/**
 * The store's MQTT broker, inside the agent (aedes). The durability seam is `authorizePublish`:
 * aedes sends a QoS 1 PUBACK only after that hook calls back (lib/handlers/publish.js runs
 * authorizePublish, then writes the PUBACK), so the hook waits for the group commit. A message the
 * agent must refuse (disk full) fails the hook: MQTT 3.1.1 has no negative PUBACK, so aedes closes
 * the connection without acknowledging, and the terminal re-sends after reconnecting.
 */
export async function startEmbeddedBroker(
  options: EmbeddedBrokerOptions,
  makeIntake: (reply: ReplySink) => PosIntake,
  feedback: FeedbackIntake,
  log: Logger,
): Promise<MqttIntake & { readonly port: number }> {
  const accounts = new WeakMap<Client, Account>();
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const account = findAccount(options, username, password);
      if (account === null) {
        log.warn({ clientId: client.id, username }, 'refused an MQTT login');
        const error = new Error('bad user name or password') as AuthenticateError;
        error.returnCode = notAuthorized;
        done(error, false);
        return;
      }
      accounts.set(client, account);
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      const account = client === null ? undefined : accounts.get(client);
      // A display may answer alerts, nothing else: tillgate/<store>/alerts/<sku>/feedback.
      if (account?.kind === 'display' && isFeedbackTopic(options.storeId, packet.topic)) {
        feedback.accept(packet.topic, account.id, packet.payload as Buffer);
        callback(null);
        return;
      }
      if (account?.kind !== 'terminal' || packet.topic !== mqttTopics.posEvents(options.storeId, account.id)) {
        callback(new EdgeError(edgeErrorCodes.notAuthorized, `may not publish to ${packet.topic}`));
        return;
      }
      intake.accept(packet.topic, account.id, packet.payload as Buffer).then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    },
    authorizeSubscribe(client, subscription, callback) {
      const account = accounts.get(client);
      const allowed =
        account !== undefined &&
        (subscription.topic === mqttTopics.alertsWildcard(options.storeId) ||
          subscription.topic.startsWith(`tillgate/${options.storeId}/alerts/`) ||
          (account.kind === 'terminal' && subscription.topic === mqttTopics.posReplies(options.storeId, account.id)));
      if (!allowed) {
        callback(new EdgeError(edgeErrorCodes.notAuthorized, `may not subscribe to ${subscription.topic}`), null);
        return;
      }
      callback(null, subscription);
    },
  });
  broker.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error }, 'MQTT client error'));
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  log.info({ host: options.host, port }, 'embedded MQTT broker listening');

  const intake = makeIntake((terminalId: string, reply: RejectReply) => {
    publish(mqttTopics.posReplies(options.storeId, terminalId), JSON.stringify(reply), false).catch((error) =>
      log.warn({ err: error, terminalId }, 'could not publish a reply'),
    );
  });
  const publish = (topic: string, payload: string, retain: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      );
    });

  return {
    port,
    intake,
    publishAlert: (topic, payload) => publish(topic, payload, true),
    async close() {
      // Broker first: it disconnects the clients, which lets the server's close complete.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isFeedbackTopic(storeId: string, topic: string): boolean {
  const prefix = `tillgate/${storeId}/alerts/`;
  return (
    topic.startsWith(prefix) &&
    topic.endsWith('/feedback') &&
    topic.slice(prefix.length, -'/feedback'.length).indexOf('/') < 0
  );
}

function findAccount(
  options: EmbeddedBrokerOptions,
  username: string | undefined,
  password: Buffer | undefined,
): Account | null {
  if (username === undefined || password === undefined) return null;
  const terminal = options.terminals.find((entry) => entry.id === username);
  const display = options.displays.find((entry) => entry.id === username);
  const entry = terminal ?? display;
  if (entry === undefined || !samePassword(entry.password, password)) return null;
  return { kind: terminal === undefined ? 'display' : 'terminal', id: entry.id };
}

function samePassword(expected: string, given: Buffer): boolean {
  const wanted = Buffer.from(expected);
  return wanted.length === given.length && timingSafeEqual(wanted, given);
}
