import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, at any depth we produce: passwords, SASL secrets, S3
 * keys, signing keys, the hub's warehouse bearer token. pino's redaction is path based, so each
 * nesting level we use is listed.
 */
export const redactedPaths = [
  'password',
  'secretKey',
  'privateKey',
  'token',
  'warehouseToken',
  '*.password',
  '*.secretKey',
  '*.privateKey',
  '*.token',
  '*.warehouseToken',
  '*.sasl.password',
  '*.*.password',
  '*.*.secretKey',
  'headers.authorization',
];

/**
 * The one root logger of a process (STYLE.md "Logging"); components take `logger.child({ component })`.
 * `destination` lets tests capture output; production writes JSON lines to stdout for journald.
 */
export function createLogger(
  options: { name: string; level?: LoggerOptions['level'] },
  destination?: pino.DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return destination === undefined ? pino(settings) : pino(settings, destination);
}
