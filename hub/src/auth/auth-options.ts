import { readFileSync } from 'node:fs';
import type { HubConfig } from '../config.ts';
import type { AuthOptions } from './auth-routes.ts';
import { loadOrCreateSessionKey } from './session-key.ts';
import { UserFile } from './user-file.ts';

/** The API's auth settings from the hub config: users file, session key, cookie flags, limits. */
export function authOptionsFrom(config: HubConfig['api']): AuthOptions {
  return {
    users: new UserFile(config.auth.usersFile),
    sessionKey: loadOrCreateSessionKey(config.auth.sessionKeyFile),
    secureCookies: config.auth.secureCookies ?? config.tls !== undefined,
    sessionSeconds: Math.round(config.auth.sessionHours * 3_600),
    loginAttemptsPerMinute: config.auth.loginAttemptsPerMinute,
  };
}

export function tlsFrom(config: HubConfig['api']): { key: Buffer; cert: Buffer } | undefined {
  return config.tls === undefined
    ? undefined
    : { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) };
}
