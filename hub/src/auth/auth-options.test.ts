import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApi } from '../api/app.ts';
import type { ClickHouseClient } from '../clickhouse.ts';
import { hubConfigSchema } from '../config.ts';
import { authOptionsFrom, tlsFrom } from './auth-options.ts';

// The Secure cookie flag follows TLS: set when the API serves HTTPS (api.tls), or when told it sits
// behind a TLS proxy (api.auth.secureCookies); the session key is made once, 0600, and reused.
const dir = mkdtempSync(join(tmpdir(), 'tillgate-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const api = (extra: object) =>
  hubConfigSchema.parse({
    api: { auth: { usersFile: join(dir, 'users.json'), sessionKeyFile: join(dir, 'session.key') }, ...extra },
  }).api;

describe('auth options from the config', () => {
  it('keeps one 0600 session key and marks cookies Secure only with TLS or when told', () => {
    const plain = authOptionsFrom(api({}));
    expect(plain.secureCookies).toBe(false);
    expect(statSync(join(dir, 'session.key')).mode & 0o777).toBe(0o600);
    expect(authOptionsFrom(api({})).sessionKey.equals(plain.sessionKey)).toBe(true);
    expect(authOptionsFrom(api({ auth: { ...api({}).auth, secureCookies: true } })).secureCookies).toBe(true);
  });

  it('serves HTTPS with a Secure session cookie when api.tls is set', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const config = api({ tls: { certFile: cert, keyFile: key } });
    const https = tlsFrom(config);
    expect(https).toBeDefined();
    // No ClickHouse needed for /auth/session; the client is never called.
    const app = buildApi({
      clickhouse: {} as ClickHouseClient,
      onlineWithinSeconds: 15,
      lag: async () => [],
      auth: authOptionsFrom(config),
      ...(https === undefined ? {} : { https }),
    });
    const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    try {
      const cookie = await new Promise<string>((resolve, reject) => {
        const call = request(
          { host: url.hostname, port: url.port, path: '/auth/session', rejectUnauthorized: false },
          (response) => {
            response.resume();
            resolve(String(response.headers['set-cookie']?.[0]));
          },
        );
        call.on('error', reject);
        call.end();
      });
      expect(url.protocol).toBe('https:');
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/HttpOnly/);
    } finally {
      await app.close();
    }
  });
});
