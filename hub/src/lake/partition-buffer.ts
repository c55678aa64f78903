import type { LakeRow } from './parquet-encoder.ts';

export interface FileGroup {
  date: string;
  storeId: string;
  firstOffset: string;
  rows: LakeRow[];
}

/**
 * The open lake files of one Kafka partition since its last committed offset: one file per
 * (date, store). All of them are written together and then the offset after the last message is
 * committed, so every file starts at the first message of its (date, store) after a committed offset.
 * A crash before the commit replays from that same offset, the same groups start at the same first
 * offsets, and the uploads overwrite the same keys: replay can end a file at another message than the
 * lost run did, but never leaves a second, overlapping file behind.
 */
export class PartitionBuffer {
  readonly #groups = new Map<string, FileGroup>();
  readonly openedAt: number;
  bytes = 0;
  lastOffset: string | undefined;

  constructor(now: number) {
    this.openedAt = now;
  }

  add(date: string, row: LakeRow): void {
    const key = `${date}/${row.storeId}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { date, storeId: row.storeId, firstOffset: row.offset, rows: [] };
      this.#groups.set(key, group);
    }
    group.rows.push(row);
    this.bytes += row.payload.length;
  }

  /** Marks a message as consumed even when it produced no row (a poison message), so the commit passes it. */
  consumed(offset: string): void {
    this.lastOffset = offset;
  }

  groups(): FileGroup[] {
    return [...this.#groups.values()];
  }
}
