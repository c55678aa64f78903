import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HubError, hubErrorCodes } from '../errors.ts';

const keyLength = 32; // bytes: @fastify/secure-session (libsodium secretbox) takes exactly 32

/**
 * The key that seals session cookies, created once (mode 0600) and kept, so sessions survive a hub
 * restart. Deleting the file logs everybody out.
 */
export function loadOrCreateSessionKey(path: string): Buffer {
  try {
    const key = readFileSync(path);
    if (key.length !== keyLength) {
      throw new HubError(
        hubErrorCodes.auth,
        `session key ${path} must be ${keyLength} bytes; delete it to make a new one`,
      );
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(keyLength);
  // 'wx': if two hubs start at once, the second fails here instead of overwriting the first's key.
  writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  return key;
}
