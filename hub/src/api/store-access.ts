import type { FastifyRequest } from 'fastify';
import { type DashboardRole, storeScope } from '../auth/roles.ts';
import { hubErrorCodes } from '../errors.ts';
import { ApiError } from './api-errors.ts';

/**
 * The `{store:String}` a query binds for this request: the store asked for, checked against the
 * user's scope; '' (all stores) when none is asked for and the role sees all. A store manager asking
 * for another store gets 403 before any query runs, and without asking gets their own store.
 */
export function storeFilter(request: FastifyRequest, requested: string | undefined): string {
  const scope = storeScope(request.user);
  if (requested === undefined || requested === '') return scope;
  if (scope !== '' && requested !== scope) {
    throw new ApiError(403, hubErrorCodes.forbidden, `store ${requested} is outside your login's store (${scope})`);
  }
  return requested;
}

/** Refuses roles not in `allowed` (e.g. hub-wide consumer lag is not a store manager's business). */
export function requireRole(request: FastifyRequest, allowed: readonly DashboardRole[]): void {
  if (!allowed.includes(request.user.role)) {
    throw new ApiError(
      403,
      hubErrorCodes.forbidden,
      `needs role ${allowed.join(' or ')}; you are ${request.user.role}`,
    );
  }
}

/** JSON schema of a store id in a query string or path (the same pattern as the users file). */
export const storeIdSchema = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;
