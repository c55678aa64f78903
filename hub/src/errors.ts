import { TillgateError, type TillgateErrorOptions } from '@tillgate/shared/errors';

// The hub's error codes, one closed list (STYLE.md "Errors").
export const hubErrorCodes = {
  /** A migration file is malformed, or an applied migration's file changed since it ran. */
  migration: 'TG_HUB_MIGRATION',
  /** ClickHouse refused or failed a statement the hub needs (insert, dedupe lookup, fleet query). */
  clickhouse: 'TG_HUB_CLICKHOUSE',
  /** Writing a Parquet file or uploading it to S3 failed. */
  lake: 'TG_HUB_LAKE',
  /** A dimension import file is unreadable, malformed, or has a duplicate or colliding key. */
  dimensionImport: 'TG_HUB_DIMENSION_IMPORT',
  /** The Power BI service-account file for `bi-access-sql` is malformed. */
  biAccess: 'TG_HUB_BI_ACCESS',
  /** The CLI was called with an unknown command or argument. */
  usage: 'TG_HUB_USAGE',
  /** The users file or the session key is unreadable or invalid (the API cannot log anybody in). */
  auth: 'TG_HUB_AUTH',
  // HTTP API answers (api/api-errors.ts): the code is the `error` field of every 4xx body.
  /** No session, or the session's user was removed or changed: log in again. */
  loginRequired: 'TG_HUB_LOGIN_REQUIRED',
  /** Wrong username or password. */
  loginFailed: 'TG_HUB_LOGIN_FAILED',
  /** Too many login attempts from one address; wait and retry. */
  tooManyLogins: 'TG_HUB_TOO_MANY_LOGINS',
  /** Logged in, but the role or store does not allow this (a store manager asking for another store). */
  forbidden: 'TG_HUB_FORBIDDEN',
  /** A state-changing request without a valid CSRF token (x-csrf-token header from GET /auth/session). */
  csrf: 'TG_HUB_CSRF',
  /** A rollout request names a release the registry does not hold, or a step its state does not allow. */
  rollout: 'TG_HUB_ROLLOUT',
  /** No such rollout. */
  rolloutNotFound: 'TG_HUB_ROLLOUT_NOT_FOUND',
  /** A query string, path parameter or body that breaks the route's schema. */
  badRequest: 'TG_HUB_BAD_REQUEST',
  /** A URL longer than the API accepts. */
  uriTooLong: 'TG_HUB_URI_TOO_LONG',
  /** No such route. */
  notFound: 'TG_HUB_NOT_FOUND',
  /** POST /api/bi/refresh while a refresh runs (the staging tables are shared): retry after it. */
  biRefreshBusy: 'TG_HUB_BI_REFRESH_BUSY',
  /** The dashboard's web assets are not built (deploy/local/setup.sh dashboard builds them). */
  dashboardNotBuilt: 'TG_HUB_DASHBOARD_NOT_BUILT',
} as const;

export type HubErrorCode = (typeof hubErrorCodes)[keyof typeof hubErrorCodes];

export class HubError extends TillgateError {
  declare readonly code: HubErrorCode;

  constructor(code: HubErrorCode, message: string, options: TillgateErrorOptions = {}) {
    super(code, message, options);
  }
}
