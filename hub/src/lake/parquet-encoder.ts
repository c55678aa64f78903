import { Int32, Int64, Table, TimestampMillisecond, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Compression, Table as ParquetTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';

/**
 * One archived message. The lake keeps the validated message whole (payload, JSON) next to the columns
 * every reader filters on; a schema per event type would have to change with every contract version,
 * while `JSONExtract(payload, ...)` in ClickHouse or pyarrow + json reads any version.
 */
export interface LakeRow {
  id: string;
  type: string;
  storeId: string;
  occurredAtMs: number;
  topic: string;
  partition: number;
  offset: string;
  payload: string;
}

// Built once: zstd is what ClickHouse, Spark and pyarrow all read and compresses JSON text well.
const writerProperties = () => new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();

/**
 * Rows → Parquet bytes. apache-arrow builds the columns and parquet-wasm (arrow-rs's writer compiled to
 * WebAssembly, maintained, no native add-on to build on store-less hub images) writes the file.
 */
export function encodeParquet(rows: readonly LakeRow[]): Uint8Array {
  const table = new Table({
    id: vectorFromArray(
      rows.map((row) => row.id),
      new Utf8(),
    ),
    type: vectorFromArray(
      rows.map((row) => row.type),
      new Utf8(),
    ),
    store_id: vectorFromArray(
      rows.map((row) => row.storeId),
      new Utf8(),
    ),
    occurred_at: vectorFromArray(
      rows.map((row) => row.occurredAtMs),
      new TimestampMillisecond('UTC'),
    ),
    kafka_topic: vectorFromArray(
      rows.map((row) => row.topic),
      new Utf8(),
    ),
    kafka_partition: vectorFromArray(
      rows.map((row) => row.partition),
      new Int32(),
    ),
    kafka_offset: vectorFromArray(
      rows.map((row) => BigInt(row.offset)),
      new Int64(),
    ),
    payload: vectorFromArray(
      rows.map((row) => row.payload),
      new Utf8(),
    ),
  });
  const wasmTable = ParquetTable.fromIPCStream(tableToIPC(table, 'stream'));
  return writeParquet(wasmTable, writerProperties());
}
