import type { Alert } from '@tillgate/shared';
import type { RejectRow } from '../store/edge-store.ts';

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
  intake: {
    stored: number;
    duplicates: number;
    rejected: number;
    refused: number;
    /** Terminal numbering faults since start (edge/src/store/terminal-sequences.ts). */
    terminal_faults: { seq_reused: number; seq_restarted: number; content_resent: number };
  };
  /** The dedupe memory (event_identities): its size, bound and horizon; `evicted` = forgotten early for bytes. */
  dedupe: {
    identities: number;
    bytes: number;
    max_bytes: number;
    retention_days: number;
    oldest_received_at: string | null;
    evicted: number;
  };
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
  disk: { used_bytes: number; cap_bytes: number };
  memory: { rss_bytes: number; heap_used_bytes: number };
  alerts_open: number;
  recent_alerts: Alert[];
  rejects_total: number;
  recent_rejects: Omit<RejectRow, 'payload'>[];
}
