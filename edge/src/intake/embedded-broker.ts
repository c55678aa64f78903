import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type Logger, mqttTopics } from '@tillgate/shared';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { EdgeError, edgeErrorCodes } from '../errors.ts';
import { hashPassword, verifyPassword } from '../security/password-hash.ts';
import type { FeedbackIntake } from './feedback-intake.ts';
import type { MqttIntake } from './mqtt-intake.ts';
import type { PosIntake, ReplySink } from './pos-intake.ts';
import type { RejectReply } from './pos-message.ts';
import type { ZReportIntake, ZReportReply } from './z-report-intake.ts';

export interface EmbeddedBrokerOptions {
  storeId: string;
  host: string;
  /** Plain listener; null for none. */
  port: number | null;
  tls?: { certFile: string; keyFile: string; port: number } | undefined;
  terminals: readonly { id: string; passwordHash: string }[];
  displays: readonly { id: string; passwordHash: string }[];
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
  zReports: ZReportIntake,
  log: Logger,
): Promise<MqttIntake & { readonly port: number | null; readonly tlsPort: number | null }> {
  const accounts = new WeakMap<Client, Account>();
  // Read before the broker starts: a missing or unreadable certificate stops the agent at start-up.
  const tlsFiles = options.tls === undefined ? null : readTlsFiles(options.tls);
  // An unknown user name is checked against this hash, so a refusal takes as long either way and
  // does not tell which terminal ids exist.
  const unknownUserHash = await hashPassword('unknown user');
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      findAccount(options, username, password, unknownUserHash).then(
        (account) => {
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
        (error: Error) => done(error as AuthenticateError, false),
      );
    },
    authorizePublish(client, packet, callback) {
      const account = client === null ? undefined : accounts.get(client);
      // A display may answer alerts, nothing else: tillgate/<store>/alerts/<sku>/feedback.
      if (account?.kind === 'display' && isFeedbackTopic(options.storeId, packet.topic)) {
        feedback.accept(packet.topic, account.id, packet.payload as Buffer);
        callback(null);
        return;
      }
      // A terminal's Z-report: reconciled and committed before the PUBACK, answered right after it.
      if (account?.kind === 'terminal' && packet.topic === mqttTopics.posZReport(options.storeId, account.id)) {
        const terminalId = account.id;
        zReports.accept(packet.topic, terminalId, packet.payload as Buffer).then(
          (answer) => {
            callback(null);
            reply(terminalId, answer);
          },
          (error: Error) => callback(error),
        );
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
  const servers: Server[] = [];
  const port = options.port === null ? null : await listen(createServer(broker.handle), options.host, options.port);
  const tlsPort =
    options.tls === undefined || tlsFiles === null
      ? null
      : await listen(createTlsServer(tlsFiles, broker.handle), options.host, options.tls.port);
  log.info({ host: options.host, port, tlsPort }, 'embedded MQTT broker listening');

  async function listen(server: Server, host: string, wanted: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(wanted, host, () => resolve());
    });
    servers.push(server);
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : wanted;
  }

  const reply = (terminalId: string, answer: RejectReply | ZReportReply) => {
    publish(mqttTopics.posReplies(options.storeId, terminalId), JSON.stringify(answer), false).catch((error) =>
      log.warn({ err: error, terminalId }, 'could not publish a reply'),
    );
  };
  const intake = makeIntake(reply);
  const publish = (topic: string, payload: string, retain: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      );
    });

  return {
    port,
    tlsPort,
    intake,
    publishAlert: (topic, payload) => publish(topic, payload, true),
    async close() {
      // Broker first: it disconnects the clients, which lets the server's close complete.
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
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

async function findAccount(
  options: EmbeddedBrokerOptions,
  username: string | undefined,
  password: Buffer | undefined,
  unknownUserHash: string,
): Promise<Account | null> {
  if (username === undefined || password === undefined) return null;
  const terminal = options.terminals.find((entry) => entry.id === username);
  const display = options.displays.find((entry) => entry.id === username);
  const entry = terminal ?? display;
  const matches = await verifyPassword(entry?.passwordHash ?? unknownUserHash, password);
  if (entry === undefined || !matches) return null;
  return { kind: terminal === undefined ? 'display' : 'terminal', id: entry.id };
}

function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (key: 'certFile' | 'keyFile'): Buffer => {
    try {
      return readFileSync(tls[key]);
    } catch (error) {
      throw new EdgeError(
        edgeErrorCodes.tlsFiles,
        `mqtt.tls.${key}: cannot read ${tls[key]}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  };
  return { cert: read('certFile'), key: read('keyFile') };
}
