import { writeFileSync } from 'node:fs';
import {
  Bool,
  type DataType,
  Float64,
  Int32,
  Int64,
  Table,
  Timestamp,
  TimeUnit,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm/node';

/** Column types the datasets use; timestamps are UTC milliseconds so Spark reads them as TIMESTAMP. */
export const column = {
  text: () => new Utf8(),
  int: () => new Int32(),
  bigint: () => new Int64(),
  float: () => new Float64(),
  bool: () => new Bool(),
  timestamp: () => new Timestamp(TimeUnit.MILLISECOND, 'UTC'),
} as const;

export type ColumnSpec<Row> = Record<string, { type: () => DataType; value: (row: Row) => unknown }>;

/** Writes rows as one Snappy-compressed Parquet file, columns in `spec` order. */
export function writeParquetFile<Row>(path: string, rows: readonly Row[], spec: ColumnSpec<Row>): void {
  const vectors = Object.fromEntries(
    Object.entries(spec).map(([name, { type, value }]) => {
      const dataType = type();
      const values = rows.map((row) => {
        const v = value(row);
        return dataType instanceof Int64 && typeof v === 'number' ? BigInt(v) : v;
      });
      return [name, vectorFromArray(values, dataType)];
    }),
  );
  const table = new Table(vectors);
  const properties = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setMaxRowGroupSize(256 * 1024)
    .setCreatedBy('tillgate simulators')
    .build();
  writeFileSync(path, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), properties));
}
