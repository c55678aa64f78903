import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, type ClickHouseClient, createClickHouse, migrate } from '@tillgate/hub';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfSession, login, sessionCookie, testAuth, testPassword } from './dashboard-login.ts';

// The login in front of the dashboard and its API, on real chDB (empty, migrated): sessions, CSRF,
// rate limit, roles, store scope, and the 4xx answers to bad requests.
describe('dashboard auth', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tillgate-auth-'));
    clickhouse = createClickHouse({ dataPath: join(dir, 'chdb'), username: 'default', password: '' });
    await migrate(clickhouse);
  });
  afterAll(async () => {
    await clickhouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const app = async (overrides: Parameters<typeof testAuth>[1] = {}): Promise<FastifyInstance> =>
    buildApi({
      clickhouse,
      onlineWithinSeconds: 15,
      lag: async () => [],
      auth: await testAuth(dir, overrides),
      dashboardDir: join(dir, 'no-dashboard-here'),
    });

  it('answers /health without a login and nothing else', async () => {
    const api = await app();
    expect((await api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    for (const url of ['/api/fleet', '/api/alerts', '/api/lag']) {
      const response = await api.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(401);
      expect(response.json()).toEqual({ error: 'TG_HUB_LOGIN_REQUIRED', message: 'log in first: POST /auth/login' });
    }
    const page = await api.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login');
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, Secure when asked', async () => {
    const plain = await api('plain');
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Strict/);
    expect(plain).not.toMatch(/Secure/);
    expect(await api('secure')).toMatch(/; Secure/);
    async function api(kind: 'plain' | 'secure'): Promise<string> {
      const instance = await app({ secureCookies: kind === 'secure' });
      const session = await instance.inject({ method: 'GET', url: '/auth/session' });
      const header = session.headers['set-cookie'];
      return String(Array.isArray(header) ? header[0] : header);
    }
  });

  it('refuses a wrong password, an unknown user and a login without the CSRF token', async () => {
    const api = await app();
    const anonymous = await csrfSession(api);
    const attempt = (payload: object, headers: Record<string, string> = anonymous) =>
      api.inject({ method: 'POST', url: '/auth/login', headers, payload });
    const wrong = await attempt({ username: 'admin', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('TG_HUB_LOGIN_FAILED');
    expect((await attempt({ username: 'nobody', password: testPassword })).statusCode).toBe(401);
    const noToken = await attempt({ username: 'admin', password: testPassword }, { cookie: anonymous.cookie });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error).toBe('TG_HUB_CSRF');
    const extra = await attempt({ username: 'admin', password: testPassword, role: 'admin' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error).toBe('TG_HUB_BAD_REQUEST');
  });

  it('rate-limits login attempts per address', async () => {
    const api = await app({ loginAttemptsPerMinute: 3 });
    const anonymous = await csrfSession(api);
    const codes: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await api.inject({
        method: 'POST',
        url: '/auth/login',
        headers: anonymous,
        payload: { username: 'admin', password: 'guess' },
      });
      codes.push(response.statusCode);
      if (response.statusCode === 429) expect(response.json().error).toBe('TG_HUB_TOO_MANY_LOGINS');
    }
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('logs out only with the CSRF token, and the session is gone afterwards', async () => {
    const api = await app();
    const session = await login(api, 'ops');
    expect((await api.inject({ method: 'GET', url: '/api/fleet', headers: session })).statusCode).toBe(200);
    const forged = await api.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: session.cookie } });
    expect(forged.statusCode).toBe(403);
    const logout = await api.inject({ method: 'POST', url: '/auth/logout', headers: session });
    expect(logout.statusCode).toBe(200);
    const after = { ...session, cookie: sessionCookie(logout) };
    expect((await api.inject({ method: 'GET', url: '/api/fleet', headers: after })).statusCode).toBe(401);
  });

  it('ends the session of a user removed from the users file', async () => {
    const auth = await testAuth(join(dir, 'removal'));
    const api = buildApi({ clickhouse, onlineWithinSeconds: 15, lag: async () => [], auth });
    const session = await login(api, 'ops');
    auth.users.remove('ops');
    expect((await api.inject({ method: 'GET', url: '/api/fleet', headers: session })).statusCode).toBe(401);
  });

  it('keeps a store manager to their own store, on every route', async () => {
    const api = await app();
    const manager = await login(api, 'manager-s1');
    for (const url of ['/api/fleet?store=s2', '/api/alerts?store=s2', '/api/lag']) {
      const response = await api.inject({ method: 'GET', url, headers: manager });
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error).toBe('TG_HUB_FORBIDDEN');
    }
    expect((await api.inject({ method: 'GET', url: '/api/alerts?store=s1', headers: manager })).statusCode).toBe(200);
  });

  it('answers unknown routes, malformed filters and oversized URLs with a 4xx that says why', async () => {
    const api = await app();
    const ops = await login(api, 'ops');
    const get = (url: string) => api.inject({ method: 'GET', url, headers: ops });
    const unknown = await get('/api/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: 'TG_HUB_NOT_FOUND',
      message: expect.stringContaining('/api/nothing-here'),
    });
    const cases: Array<[string, RegExp]> = [
      ['/api/alerts?limit=abc', /limit must be integer/],
      ['/api/alerts?limit=5000', /limit must be <= 1000/],
      ["/api/alerts?store=s1'%20OR%201=1", /store must match pattern/],
      ['/api/fleet?colour=red', /must NOT have additional properties/],
    ];
    for (const [url, message] of cases) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error).toBe('TG_HUB_BAD_REQUEST');
      expect(response.json().message).toMatch(message);
    }
    const long = await get(`/api/alerts?store=${'a'.repeat(5_000)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json().error).toBe('TG_HUB_URI_TOO_LONG');
  });
});
