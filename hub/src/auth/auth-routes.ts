import csrfProtection from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import secureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api/api-errors.ts';
import { hubErrorCodes } from '../errors.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import type { DashboardUser } from './roles.ts';
import type { UserFile } from './user-file.ts';

declare module '@fastify/secure-session' {
  interface SessionData {
    user: DashboardUser;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireLogin on every route behind the login. */
    user: DashboardUser;
  }
}

export interface AuthOptions {
  users: UserFile;
  /** 32 bytes (session-key.ts). */
  sessionKey: Buffer;
  /** Secure cookie flag: true when the hub serves TLS, or sits behind a TLS proxy. */
  secureCookies: boolean;
  sessionSeconds: number;
  loginAttemptsPerMinute: number;
}

export const sessionCookieName = 'tillgate_session';

// Compared against when the username is unknown, so a wrong name costs the same time as a wrong
// password and does not reveal which usernames exist.
const decoyHash = hashPassword('decoy password, never valid');

/**
 * Sessions (sealed cookie: HttpOnly, SameSite=Strict, Secure with TLS), CSRF tokens and the login
 * routes, registered on the root so the session is readable everywhere. Stateless sessions need no
 * store; revocation is by the users file: requireLogin re-checks the user on every request.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.register(secureSession, {
    key: options.sessionKey,
    cookieName: sessionCookieName,
    expiry: options.sessionSeconds,
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.secureCookies },
  });
  app.register(csrfProtection, { sessionPlugin: '@fastify/secure-session' });
  app.register(rateLimit, { global: false });
  app.decorateRequest('user', null as unknown as DashboardUser);
  // The routes in their own scope: it loads after the three plugins, so their decorators exist.
  app.register(async (scope) => authRoutes(scope, options));
}

function authRoutes(app: FastifyInstance, options: AuthOptions): void {
  app.get('/auth/session', async (request, reply) => ({
    user: currentUser(request, options.users) ?? null,
    csrfToken: reply.generateCsrf(),
  }));

  app.post<{ Body: { username: string; password: string } }>(
    '/auth/login',
    {
      onRequest: app.csrfProtection,
      config: {
        rateLimit: {
          max: options.loginAttemptsPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_request, context) =>
            new ApiError(
              429,
              hubErrorCodes.tooManyLogins,
              `too many login attempts from this address; retry in ${Math.ceil(context.ttl / 1000)} s`,
            ),
        },
      },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 64 },
            password: { type: 'string', minLength: 1, maxLength: 1_024 },
          },
        },
      },
    },
    async (request) => {
      const record = options.users.find(request.body.username);
      const valid = await verifyPassword(request.body.password, record?.passwordHash ?? (await decoyHash));
      if (record === undefined || !valid) {
        throw new ApiError(401, hubErrorCodes.loginFailed, 'wrong username or password');
      }
      const user: DashboardUser = { username: record.username, role: record.role, storeId: record.storeId };
      request.session.set('user', user);
      return { user };
    },
  );

  app.post('/auth/logout', { onRequest: app.csrfProtection }, async (request) => {
    request.session.delete();
    return { loggedOut: true };
  });
}

function currentUser(request: FastifyRequest, users: UserFile): DashboardUser | undefined {
  const user = request.session.get('user');
  return user === undefined ? undefined : users.confirm(user);
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The onRequest hook of every scope behind the login: 401 without a valid session, and a CSRF check
 * on every state-changing method, so a route added to the scope is protected without doing anything.
 */
export function loginHook(app: FastifyInstance, users: UserFile) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const user = currentUser(request, users);
    if (user === undefined) {
      throw new ApiError(401, hubErrorCodes.loginRequired, 'log in first: POST /auth/login');
    }
    request.user = user;
    if (safeMethods.has(request.method)) return;
    await new Promise<void>((resolve, reject) =>
      app.csrfProtection.call(app, request, reply, (error?: Error) => (error ? reject(error) : resolve())),
    );
  };
}
