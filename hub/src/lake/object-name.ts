/**
 * Where a lake file lives: `<topic>/date=YYYY-MM-DD/store=<id>/<topic>-p<partition>-o<firstOffset>.parquet`.
 * Hive-style keys let ClickHouse s3(), Spark and pyarrow prune by date and store. The name depends only
 * on where the file's first message sits in Kafka, so re-archiving after a crash writes the same key
 * and overwrites instead of adding a second copy (see partition-buffer.ts for why first offsets repeat).
 */
export function lakeObjectName(parts: {
  prefix: string;
  topic: string;
  date: string;
  storeId: string;
  partition: number;
  firstOffset: string;
}): string {
  const { prefix, topic, date, storeId, partition, firstOffset } = parts;
  return `${prefix}${topic}/date=${date}/store=${storeId}/${topic}-p${partition}-o${firstOffset}.parquet`;
}
