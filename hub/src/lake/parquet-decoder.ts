import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import type { LakeRow } from './parquet-encoder.ts';

/** Parquet bytes of a lake file (parquet-encoder.ts, shared lake schema) → its rows. */
export function decodeParquet(bytes: Uint8Array): LakeRow[] {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream());
  const column = (name: string) => {
    const vector = table.getChild(name);
    if (vector === null) throw new Error(`not a lake file: no column "${name}"`);
    return vector;
  };
  const [id, type, store, occurred, topic, partition, offset, payload] = [
    'id',
    'type',
    'store_id',
    'occurred_at',
    'kafka_topic',
    'kafka_partition',
    'kafka_offset',
    'payload',
  ].map(column);
  return Array.from({ length: table.numRows }, (_, index) => ({
    id: String(id?.get(index)),
    type: String(type?.get(index)),
    storeId: String(store?.get(index)),
    occurredAtMs: Number(occurred?.get(index)),
    topic: String(topic?.get(index)),
    partition: Number(partition?.get(index)),
    offset: String(offset?.get(index)),
    payload: String(payload?.get(index)),
  }));
}
