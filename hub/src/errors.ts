import { TillgateError, type TillgateErrorOptions } from '@tillgate/shared/errors';

// The hub's error codes, one closed list (STYLE.md "Errors").
export const hubErrorCodes = {
  /** A migration file is malformed, or an applied migration's file changed since it ran. */
  migration: 'TG_HUB_MIGRATION',
  /** ClickHouse refused or failed a statement the hub needs (insert, dedupe lookup, fleet query). */
  clickhouse: 'TG_HUB_CLICKHOUSE',
  /** Writing a Parquet file or uploading it to S3 failed. */
  lake: 'TG_HUB_LAKE',
  /** The CLI was called with an unknown command or argument. */
  usage: 'TG_HUB_USAGE',
} as const;

export type HubErrorCode = (typeof hubErrorCodes)[keyof typeof hubErrorCodes];

export class HubError extends TillgateError {
  declare readonly code: HubErrorCode;

  constructor(code: HubErrorCode, message: string, options: TillgateErrorOptions = {}) {
    super(code, message, options);
  }
}
