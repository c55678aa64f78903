import { z } from 'zod';

/**
 * The columns of every Parquet file in the hub's lake, in file order, with their Arrow types as pyarrow
 * names them. The ONE definition: the hub's writer (hub/src/lake/parquet-encoder.ts) builds its table
 * from this list, and the data-quality DAG checks the real files in S3 against the JSON Schema generated
 * from it (shared/json-schema/lake-file.v1.schema.json, `x-arrow-type` per property).
 */
export const lakeFileColumns = [
  { name: 'id', arrowType: 'string', description: 'event_id of the archived message' },
  { name: 'type', arrowType: 'string', description: 'event type (sale, return, shelf_count, ...)' },
  { name: 'store_id', arrowType: 'string', description: 'store the event came from' },
  { name: 'occurred_at', arrowType: 'timestamp[ms, tz=UTC]', description: 'terminal clock of the event' },
  { name: 'kafka_topic', arrowType: 'string', description: 'topic the message was read from' },
  { name: 'kafka_partition', arrowType: 'int32', description: 'its partition' },
  { name: 'kafka_offset', arrowType: 'int64', description: 'its offset: with topic and partition, its identity' },
  { name: 'payload', arrowType: 'string', description: 'the validated message, whole, as JSON' },
] as const;

export type LakeColumnName = (typeof lakeFileColumns)[number]['name'];
export type LakeArrowType = (typeof lakeFileColumns)[number]['arrowType'];

const jsonTypeOf: Record<LakeArrowType, z.ZodType> = {
  string: z.string(),
  int32: z.number().int(),
  int64: z.string().regex(/^\d+$/),
  'timestamp[ms, tz=UTC]': z.iso.datetime(),
};

/** One lake row as JSON (64-bit offsets as strings); the Arrow type of each column rides as `x-arrow-type`. */
export const lakeRow = z.strictObject(
  Object.fromEntries(
    lakeFileColumns.map((column) => [
      column.name,
      jsonTypeOf[column.arrowType].meta({ description: column.description, 'x-arrow-type': column.arrowType }),
    ]),
  ) as Record<LakeColumnName, z.ZodType>,
);
