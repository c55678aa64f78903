import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { UserFile } from '../auth/user-file.ts';
import { hubErrorCodes } from '../errors.ts';

/** Where `deploy/local/dashboard.sh build` (Vite) writes the dashboard: hub/dashboard/dist. */
export const defaultDashboardDir = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

// Sent with every page: the dashboard loads only its own scripts and styles and is never framed.
const pageHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

/**
 * The pages: `/` (the app, behind the login: without a session it redirects to /login), `/login`
 * (public), and `/assets/*` (hashed script and style files, public: they hold code, never data; all
 * data comes from /api/*, which needs the login).
 */
export async function registerDashboardPages(app: FastifyInstance, dir: string, users: UserFile): Promise<void> {
  const page = (name: string): string | undefined => {
    const path = join(dir, name);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  const notBuilt = {
    error: hubErrorCodes.dashboardNotBuilt,
    message: `dashboard assets missing in ${dir}: run bash deploy/local/setup.sh dashboard`,
  };

  app.get('/', async (request, reply) => {
    const user = request.session.get('user');
    if (user === undefined || users.confirm(user) === undefined) return reply.redirect('/login', 302);
    const html = page('index.html');
    if (html === undefined) return reply.code(503).send(notBuilt);
    return reply.headers(pageHeaders).type('text/html; charset=utf-8').send(html);
  });
  app.get('/login', async (_request, reply) => {
    const html = page('login.html');
    if (html === undefined) return reply.code(503).send(notBuilt);
    return reply.headers(pageHeaders).type('text/html; charset=utf-8').send(html);
  });
  if (existsSync(join(dir, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      // Vite names every asset by its content hash, so a cached copy is never stale.
      immutable: true,
      maxAge: '365d',
    });
  }
}
