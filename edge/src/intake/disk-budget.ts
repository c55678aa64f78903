import type { DiskUsage, IntakeItem } from '../store/edge-store.ts';
import { skusOf } from '../store/skus-of.ts';

/**
 * How the disk cap (`disk.capBytes`) is shared out, and how many messages of a batch fit in it.
 * The cap counts what SQLite really takes: main file + WAL + its shm index.
 *
 * - `walBytes` (an eighth of the cap, at most 64 MiB): the WAL's allowance. The store checkpoints and
 *   cuts the WAL back within it (sqlite-store.ts), and a batch is admitted only if its worst-case WAL
 *   frames fit in what is left of it (after a TRUNCATE checkpoint when needed).
 * - `reserveBytes` (1/64 of the cap, 256 KiB to 16 MiB): room intake never takes, for the writes that
 *   must go on at the cap — sent marks and pruning (which free room), alerts (one per SKU per cool-down).
 * - the rest is the main file's: it grows only when free pages run out, so the projection is
 *   max(file, live pages + the batch's new bytes).
 *
 * Estimates are worst cases, not averages: each event dirties a page of every tree it lands in at a
 * random place (and of each SKU's state), appended rows fill pages only half. Close to the cap that
 * admits fewer messages than would fit, never more.
 */
export class DiskBudget {
  readonly capBytes: number;
  readonly walBytes: number;
  readonly reserveBytes: number;

  constructor(capBytes: number) {
    this.capBytes = capBytes;
    this.walBytes = Math.min(64 * 1024 ** 2, Math.floor(capBytes / 8));
    this.reserveBytes = Math.min(16 * 1024 ** 2, Math.max(256 * 1024, Math.floor(capBytes / 64)));
  }

  /** Bytes on disk now. */
  static used(usage: DiskUsage): number {
    return usage.dbBytes + usage.walBytes + usage.shmBytes;
  }

  /** How many items from the front of `items` can be committed in one transaction without passing the cap. */
  fitting(usage: DiskUsage, items: readonly IntakeItem[]): number {
    const dbRoom = this.capBytes - this.reserveBytes - this.walBytes - usage.shmBytes;
    const frameBytes = usage.pageSize + walFrameHeader;
    let appended = 0;
    let scattered = batchPages;
    for (let index = 0; index < items.length; index++) {
      const item = items[index] as IntakeItem;
      // A Z-report is stored three times over: its row in z_reports, and report + result in the outbox.
      const payloadBytes = Buffer.byteLength(item.payload) * (item.kind === 'z_report' ? 3 : 1);
      const bytes = Math.min(payloadBytes, item.kind === 'reject' ? keptRejectBytes : Infinity);
      appended += bytes + rowOverhead;
      if (item.kind === 'event') scattered += randomKeyTrees + skusOf(item.event).length;
      // Half-full pages: every appended byte may cost two on a page, in the file and in the WAL.
      const newBytes = 2 * appended;
      const walProjected = usage.walBytes + (scattered + Math.ceil(newBytes / usage.pageSize)) * frameBytes;
      if (Math.max(usage.dbBytes, usage.liveBytes + newBytes) > dbRoom || walProjected > this.walBytes) return index;
    }
    return items.length;
  }
}

/** Each WAL frame is a page plus a 24-byte header (sqlite.org/fileformat2.html#walformat). */
const walFrameHeader = 24;
/**
 * Pages any commit dirties whatever its size: the last leaf of each append-only tree (outbox, its
 * seq-ordered indexes, event_identities, rejects), terminal_epochs, agent_meta, interior pages split.
 */
const batchPages = 24;
/** Trees an event lands in at a random place, a page each: the two event_id indexes. */
const randomKeyTrees = 2;
/** Bytes of a row beyond its payload: ids, topic, key, timestamps, identity row, index entries. */
const rowOverhead = 512;
/** A reject keeps at most 4 KiB of its payload (intake/pos-message.ts). */
const keptRejectBytes = 4_096;
