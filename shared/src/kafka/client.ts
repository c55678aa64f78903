import { readFileSync } from 'node:fs';
import { isIP, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { type ISocketFactory, Kafka, type LogEntry, logLevel } from 'kafkajs';
import { KafkaConfigError } from './errors.ts';
// Side effect: fixes kafkajs's 1 ms idle timer spin before any client exists (see the file).
import './request-queue-fix.ts';
import { type KafkaConnection, parseKafkaConnection } from './options.ts';

export type { Kafka as KafkaClient } from 'kafkajs';

export type KafkaLogLevel = KafkaConnection['logLevel'];

/**
 * Where the client library's own log lines go. shared/ does not log (STYLE.md "Logging"), so the app
 * passes its pino child logger here, e.g. `(level, message, fields) => log[level](fields, message)`.
 */
export type KafkaLogSink = (level: KafkaLogLevel, message: string, fields: Record<string, unknown>) => void;

const toLibraryLevel = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
} as const satisfies Record<KafkaLogLevel, logLevel>;

const fromLibraryLevel = (level: logLevel): KafkaLogLevel =>
  level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';

/**
 * The one place a Kafka client is made. Settings are validated first (a bad one throws
 * KafkaConfigError naming it); without a log sink the library is silent instead of printing JSON to
 * the console, which would interleave with the app's own structured logs.
 */
export function createKafkaClient(settings: unknown, options: { log?: KafkaLogSink } = {}): Kafka {
  const config = parseKafkaConnection(settings);
  const sink = options.log;
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: tlsOptions(config.ssl),
    ...(config.sasl === undefined ? {} : { sasl: config.sasl }),
    ...(config.tunnels === undefined ? {} : { socketFactory: tunnelledSockets(config.tunnels) }),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Every knob pinned: the library swaps in other retry defaults when NODE_ENV=test, and tests must
    // exercise the policy production runs.
    retry: {
      retries: config.retries,
      initialRetryTime: config.initialRetryMs,
      maxRetryTime: 30_000,
      multiplier: 2,
      factor: 0.2,
    },
    logLevel: sink === undefined ? logLevel.NOTHING : toLibraryLevel[config.logLevel],
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
        sink?.(fromLibraryLevel(level), namespace === '' ? message : `${namespace}: ${message}`, fields);
      },
  });
}

function tlsOptions(ssl: KafkaConnection['ssl']): boolean | ConnectionOptions {
  if (typeof ssl === 'boolean') return ssl;
  const options: ConnectionOptions = {};
  if (ssl.servername !== undefined) options.servername = ssl.servername;
  if (ssl.caFile !== undefined) {
    try {
      options.ca = [readFileSync(ssl.caFile, 'utf8')];
    } catch (error) {
      throw new KafkaConfigError('ssl.caFile', `cannot read ${ssl.caFile}: ${(error as Error).message}`);
    }
  }
  return options;
}

/** Dials the mapped address for a tunnelled broker, the broker itself otherwise (the library's own behaviour). */
function tunnelledSockets(tunnels: Record<string, string>): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const via = tunnels[`${host}:${port}`];
    const separator = via?.lastIndexOf(':') ?? -1;
    const target =
      via === undefined
        ? { host, port }
        : { host: via.slice(0, separator).replace(/^\[|\]$/g, ''), port: Number(via.slice(separator + 1)) };
    const socket = ssl
      ? tlsConnect({ ...target, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onConnect)
      : tcpConnect(target, onConnect);
    // The library's default: keep-alive probes after 60 s idle.
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}
