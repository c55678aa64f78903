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
  intake: { stored: number; duplicates: number; rejected: number; refused: number };
  disk: { used_bytes: number; cap_bytes: number };
  memory: { rss_bytes: number; heap_used_bytes: number };
  alerts_open: number;
  recent_alerts: Alert[];
  rejects_total: number;
  recent_rejects: Omit<RejectRow, 'payload'>[];
}
