import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type AuthOptions, type DashboardRole, hashPassword, UserFile } from '@tillgate/hub';
import type { FastifyInstance } from 'fastify';

// How API tests log in: testAuth() makes a users file with one user per role (the store manager
// manages s1), login() walks the same path as the browser (GET /auth/session for the CSRF token,
// POST /auth/login) and returns the headers to send on every later request.

export const testPassword = 'correct horse battery staple';

export const testUsers: ReadonlyArray<{ username: string; role: DashboardRole; storeId: string | null }> = [
  { username: 'admin', role: 'admin', storeId: null },
  { username: 'ops', role: 'ops', storeId: null },
  { username: 'manager-s1', role: 'store-manager', storeId: 's1' },
];

export async function testAuth(dir: string, overrides: Partial<AuthOptions> = {}): Promise<AuthOptions> {
  const users = new UserFile(join(dir, 'users.json'));
  const passwordHash = await hashPassword(testPassword);
  for (const user of testUsers) {
    if (users.find(user.username) === undefined)
      users.add({ ...user, passwordHash, createdAt: new Date().toISOString() });
  }
  return {
    users,
    sessionKey: randomBytes(32),
    secureCookies: false,
    sessionSeconds: 3_600,
    loginAttemptsPerMinute: 100,
    ...overrides,
  };
}

export type LoggedIn = Record<'cookie' | 'x-csrf-token', string>;

/** The cookie (name=value) a response set, or throws: every call here expects one. */
export function sessionCookie(response: { headers: Record<string, unknown> }): string {
  const header = response.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (typeof first !== 'string') throw new Error('response set no cookie');
  return first.split(';')[0] ?? '';
}

export async function csrfSession(app: FastifyInstance): Promise<LoggedIn> {
  const session = await app.inject({ method: 'GET', url: '/auth/session' });
  return { cookie: sessionCookie(session), 'x-csrf-token': session.json().csrfToken };
}

export async function login(app: FastifyInstance, username: string, password = testPassword): Promise<LoggedIn> {
  const anonymous = await csrfSession(app);
  const response = await app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: anonymous,
    payload: { username, password },
  });
  if (response.statusCode !== 200) throw new Error(`login ${username}: ${response.statusCode} ${response.body}`);
  return { cookie: sessionCookie(response), 'x-csrf-token': anonymous['x-csrf-token'] };
}
