import type { Alert, ModelUpdateStatus, ZReportResult } from '@tillgate/shared';
import type { LevelSteering, RejectRow } from '../store/edge-store.ts';

/** What GET /status answers and the CLI prints: everything store IT needs to see at a glance. */
export interface AgentStatus {
  store_id: string;
  agent_version: string;
  started_at: string;
  /** `ok`, or `degraded` when unsent events are older than the degraded threshold (hub unreachable). */
  health: 'ok' | 'degraded';
  backlog: { events: number; oldest_unsent_at: string | null; oldest_seq: number | null };
  last_forward_at: string | null;
  model: { name: string; version: string } | null;
  /** The model updater's state (src/updater); null when the agent runs a scorer it was handed. */
  model_update: ModelUpdateStatus | null;
  intake: {
    stored: number;
    duplicates: number;
    rejected: number;
    refused: number;
    /** Group commits (SQLite transactions, one fsync each) that carried them. */
    commits: number;
    /** Terminal numbering faults since start (edge/src/store/terminal-sequences.ts). */
    terminal_faults: { seq_reused: number; seq_restarted: number; content_resent: number };
  };
  /**
   * The dedupe memory (event_identities): its size, bound and horizon; `evicted` = forgotten early
   * for bytes; `bytes` as of the last pruning pass (null before the first).
   */
  dedupe: {
    identities: number;
    bytes: number | null;
    max_bytes: number;
    retention_days: number;
    oldest_received_at: string | null;
    evicted: number;
  };
  /**
   * Sequence numbers missing in each terminal's current epoch: messages the terminal numbered but
   * never delivered (yet). A late re-send closes its gap. Recomputed at most every 30 s.
   */
  sequence_gaps: { terminal_id: string; epoch: number; from_seq: number; to_seq: number; open_since: string }[];
  /**
   * End-of-day reconciliation (issue 14): reports answered since start, and the latest result of the
   * newest reports (what each terminal was told: match, or which numbers and totals differ).
   */
  z_reports: { matched: number; mismatched: number; rejected: number; recent: ZReportResult[] };
  /** Each terminal's current numbering epoch. */
  terminals: {
    terminal_id: string;
    epoch: number;
    first_seq: number;
    high_seq: number;
    events: number;
    opened_by: 'first' | 'seq_reused' | 'seq_restarted';
    last_seen_at: string;
  }[];
  /**
   * used_bytes = what SQLite takes on disk (main file + WAL + shm), held under cap_bytes; live_bytes
   * = pages in use inside the main file. *_dropped: rows no longer held (row bounds, or kept out at the cap).
   */
  disk: {
    used_bytes: number;
    cap_bytes: number;
    db_bytes: number;
    wal_bytes: number;
    live_bytes: number;
    rejects_dropped: number;
    alerts_dropped: number;
  };
  memory: { rss_bytes: number; heap_used_bytes: number };
  /**
   * The levels the alert engine raises and clears at now: the release's (or the config's), with the
   * hidden_empty level as the store's staff answers have steered it (null steering: not steered, or
   * no answer counted yet for the active model).
   */
  alert_levels: {
    raise_above: number;
    raise_hidden_empty_above: number;
    clear_below: number;
    hidden_empty_steering: LevelSteering | null;
  };
  alerts_open: number;
  recent_alerts: Alert[];
  rejects_total: number;
  recent_rejects: Omit<RejectRow, 'payload'>[];
}
