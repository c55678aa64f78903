import type { ZReport } from '@tillgate/shared';

/** What the conformance broker saw a terminal do; the checks (checks.ts) judge only this record. */
export interface SeenPublish {
  /** Which connection of the terminal carried it (0 = first; each reconnect adds one). */
  connection: number;
  topic: string;
  qos: number;
  dup: boolean;
  payload: string;
  /** Set when the payload parsed as JSON with these envelope fields. */
  eventId?: string;
  terminalSeq?: number;
  /** Why the contract refused it, when it did (parsePosPayload's field and reason). */
  violation?: string;
  /** The kit withheld this message's PUBACK and dropped the connection instead. */
  withheld: boolean;
}

/** A message on the terminal's z-report topic. */
export interface SeenZReport {
  connection: number;
  qos: number;
  payload: string;
  /** Why the contract refused it, when it did. */
  violation?: string;
  /** The parsed report, when it validated. */
  report?: ZReport;
  /** Event messages the terminal had published before it. */
  publishedBefore: number;
}

export interface Observation {
  storeId: string;
  terminalId: string;
  publishes: SeenPublish[];
  /** Topics the terminal subscribed to, per connection. */
  subscriptions: { connection: number; topic: string; qos: number }[];
  /** The event the kit answered with a reject on the replies topic, and whether the terminal went on. */
  rejected: { eventId: string; publishedAfter: number } | null;
  connections: number;
  zReports: SeenZReport[];
}
