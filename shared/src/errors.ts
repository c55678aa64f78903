// Errors of the shared package: one closed list of stable codes. Edge and hub keep their own lists
// (TG_EDGE_*, TG_HUB_*) built on the same base class.

export interface TillgateErrorOptions {
  cause?: unknown;
  /** Whether trying the same thing again later can succeed (a broker that is down: yes; bad JSON: no). */
  canRetry?: boolean;
}

export class TillgateError extends Error {
  readonly code: string;
  readonly canRetry: boolean;

  constructor(code: string, message: string, options: TillgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
  }
}

export const sharedErrorCodes = {
  /** A POS payload broke the event contract (see ContractViolation.field). */
  contractViolation: 'TG_SHARED_CONTRACT_VIOLATION',
  /** A config file or environment override is missing, unreadable or invalid. */
  invalidConfig: 'TG_SHARED_INVALID_CONFIG',
} as const;

/** Why a payload was rejected, in terms a POS vendor can act on: which field, what was wrong. */
export class ContractViolation extends TillgateError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(sharedErrorCodes.contractViolation, `${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

export class InvalidConfigError extends TillgateError {
  readonly key: string;

  constructor(key: string, message: string, options: TillgateErrorOptions = {}) {
    super(sharedErrorCodes.invalidConfig, message, options);
    this.key = key;
  }
}
