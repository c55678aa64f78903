import { type LakeArrowType, type LakeColumnName, lakeFileColumns } from '@tillgate/shared/contracts/lake-file';
import {
  type DataType,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
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

// Every Arrow type the shared lake schema names, built the way pyarrow reads it back under that name.
const arrowTypes: Record<LakeArrowType, () => DataType> = {
  string: () => new Utf8(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  'timestamp[ms, tz=UTC]': () => new TimestampMillisecond('UTC'),
};

const columnValue: Record<LakeColumnName, (row: LakeRow) => unknown> = {
  id: (row) => row.id,
  type: (row) => row.type,
  store_id: (row) => row.storeId,
  occurred_at: (row) => row.occurredAtMs,
  kafka_topic: (row) => row.topic,
  kafka_partition: (row) => row.partition,
  kafka_offset: (row) => BigInt(row.offset),
  payload: (row) => row.payload,
};

/**
 * Rows → Parquet bytes, with exactly the columns of the shared lake schema (lakeFileColumns), in its
 * order. apache-arrow builds the columns and parquet-wasm (arrow-rs's writer compiled to WebAssembly,
 * maintained, no native add-on to build on store-less hub images) writes the file.
 */
export function encodeParquet(rows: readonly LakeRow[]): Uint8Array {
  const table = new Table(
    Object.fromEntries(
      lakeFileColumns.map(({ name, arrowType }) => [
        name,
        vectorFromArray(rows.map(columnValue[name]), arrowTypes[arrowType]()),
      ]),
    ),
  );
  const wasmTable = ParquetTable.fromIPCStream(tableToIPC(table, 'stream'));
  return writeParquet(wasmTable, writerProperties());
}
