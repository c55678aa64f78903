import { statSync } from 'node:fs';
import { EdgeError, edgeErrorCodes } from '../errors.ts';

/**
 * Refuses a config file that holds secrets (`secretKeys`, e.g. kafka.sasl.password) when every local
 * user may read it: the store PC's other accounts must not get the hub's Kafka login. The packages
 * install it as 0640 root:tillgate. Windows has no mode bits; its install script sets the ACL instead.
 */
export function refuseExposedSecrets(file: string, secretKeys: readonly string[]): void {
  if (secretKeys.length === 0 || process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o004) === 0) return;
  throw new EdgeError(
    edgeErrorCodes.configExposed,
    `config file ${file} holds secrets (${secretKeys.join(', ')}) and every user can read it (mode ${mode.toString(8).padStart(4, '0')}); ` +
      `run: chown root:tillgate ${file} && chmod 0640 ${file}`,
  );
}
