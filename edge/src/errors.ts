import { TillgateError } from '@tillgate/shared';
import type { TillgateErrorOptions } from '@tillgate/shared/errors';

// The edge agent's closed list of error codes (STYLE.md "Errors"). The scorer's TG_EDGE_MODEL_* codes
// live with the scorer in src/scoring/.
export const edgeErrorCodes = {
  /** The outbox would grow past the configured disk cap; new POS messages are refused, none dropped. */
  diskFull: 'TG_EDGE_DISK_FULL',
  /** The SQLite file is from a newer agent (a migration this build does not know). */
  schemaTooNew: 'TG_EDGE_SCHEMA_TOO_NEW',
  /** A terminal published outside its own topic, or its credentials are wrong. */
  notAuthorized: 'TG_EDGE_NOT_AUTHORIZED',
  /** Kafka refused or did not answer a produce request; the forwarder retries with backoff. */
  forwardFailed: 'TG_EDGE_FORWARD_FAILED',
  /** A replay range names sequence numbers the outbox does not hold. */
  badReplayRange: 'TG_EDGE_BAD_REPLAY_RANGE',
  /** The agent is stopping and takes no new messages. */
  stopping: 'TG_EDGE_STOPPING',
  /** alerts.clearBelow is not below the raise level in force (configured or the model's alert_threshold). */
  badAlertLevels: 'TG_EDGE_BAD_ALERT_LEVELS',
  /** A terminal sent a new sale under a terminal_seq another event already used (stored; fix the terminal). */
  terminalSeqReused: 'TG_EDGE_TERMINAL_SEQ_REUSED',
  /** A terminal's numbering fell back below what it had sent (counter reset; stored; fix the terminal). */
  terminalSeqRestarted: 'TG_EDGE_TERMINAL_SEQ_RESTARTED',
  /** A terminal re-sent a sale it had sent before under a fresh event_id (not stored again). */
  terminalResentUnderNewId: 'TG_EDGE_TERMINAL_RESENT_UNDER_NEW_ID',
  /** A display's answer to an alert broke the feedback contract or names an alert this agent never raised. */
  badFeedback: 'TG_EDGE_BAD_FEEDBACK',
  /** The embedded broker's mqtts certificate or key file cannot be read. */
  tlsFiles: 'TG_EDGE_TLS_FILES',
  /** The config file holds secrets and every local user can read it. */
  configExposed: 'TG_EDGE_CONFIG_EXPOSED',
  /** `tillgate-edge doctor` found a problem that stops the agent from working. */
  doctorFailed: 'TG_EDGE_DOCTOR_FAILED',
  /** The local status endpoint did not answer (CLI). */
  statusUnavailable: 'TG_EDGE_STATUS_UNAVAILABLE',
} as const;

export type EdgeErrorCode = (typeof edgeErrorCodes)[keyof typeof edgeErrorCodes];

export class EdgeError extends TillgateError {
  constructor(code: EdgeErrorCode, message: string, options: TillgateErrorOptions = {}) {
    super(code, message, options);
  }
}
