import { createHash } from 'node:crypto';
import type { Client } from 'minio';
import { HubError, hubErrorCodes } from '../errors.ts';
import { listObjectsByFolder } from './lake-listing.ts';
import { decodeParquet } from './parquet-decoder.ts';
import { encodeParquet, type LakeRow } from './parquet-encoder.ts';

export interface CompactionReport {
  date: string;
  /** One line per (topic, store) folder that was rewritten. */
  rewritten: Array<{ folder: string; files: number; rows: number; duplicates: number; into: string }>;
  /** Folders already compacted (one compacted file): left alone. */
  unchanged: number;
}

/**
 * Rewrites one day of the lake (issue 15 item 6): per topic and store, every file of
 * `<topic>/date=<date>/store=<id>/` becomes one file without duplicate `id`s (the copy with the lowest
 * Kafka partition and offset stays: the first that reached the hub) in which rows are ordered by event
 * time. Until this runs the lake is the topics' archive, with one row per message: an edge re-send
 * is a second row with the same `id`, and a file per store per partition per rotation.
 *
 * Crash-safe for readers: the new file is uploaded first and only then are the files it replaces
 * deleted, so a reader listing the folder in between sees every row (some twice), never fewer. The
 * new name is a hash of the names it replaces, so a run that died before its deletes is simply run
 * again: it reads the folder, compacted file included, and writes one file again. Idempotent: a folder
 * holding one compacted file is left alone. Files the live archiver adds meanwhile are not in the
 * listing and stay (the next run merges them).
 */
export async function compactLakeDay(
  s3: Client,
  lake: { bucket: string; prefix: string },
  topics: readonly string[],
  date: string,
): Promise<CompactionReport> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new HubError(hubErrorCodes.usage, `--date must be a real date as YYYY-MM-DD, got "${date}"`);
  }
  const report: CompactionReport = { date, rewritten: [], unchanged: 0 };
  for (const topic of topics) {
    const folders = new Map<string, string[]>();
    for (const name of await listObjects(s3, lake.bucket, `${lake.prefix}${topic}/date=${date}/`)) {
      if (!name.endsWith('.parquet')) continue;
      const folder = name.slice(0, name.lastIndexOf('/') + 1);
      folders.set(folder, [...(folders.get(folder) ?? []), name]);
    }
    for (const [folder, names] of folders) {
      if (names.length === 1 && names[0]?.includes('-compacted-')) {
        report.unchanged += 1;
        continue;
      }
      report.rewritten.push(await compactFolder(s3, lake.bucket, topic, folder, names.sort()));
    }
  }
  return report;
}

async function compactFolder(s3: Client, bucket: string, topic: string, folder: string, names: string[]) {
  const first = new Map<string, LakeRow>();
  let read = 0;
  for (const name of names) {
    for (const row of decodeParquet(await download(s3, bucket, name))) {
      read += 1;
      const kept = first.get(row.id);
      if (kept === undefined || before(row, kept)) first.set(row.id, row);
    }
  }
  const rows = [...first.values()].sort(
    (a, b) =>
      a.occurredAtMs - b.occurredAtMs || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  const digest = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
  const into = `${folder}${topic}-compacted-${digest}.parquet`;
  const bytes = Buffer.from(encodeParquet(rows));
  await guarded(`cannot upload ${into}`, () =>
    s3.putObject(bucket, into, bytes, bytes.length, { 'Content-Type': 'application/vnd.apache.parquet' }),
  );
  const replaced = names.filter((name) => name !== into);
  if (replaced.length > 0)
    await guarded(`cannot delete the files merged into ${into}`, () => s3.removeObjects(bucket, replaced));
  return { folder, files: names.length, rows: rows.length, duplicates: read - rows.length, into };
}

const before = (a: LakeRow, b: LakeRow): boolean =>
  a.partition < b.partition || (a.partition === b.partition && BigInt(a.offset) < BigInt(b.offset));

async function listObjects(s3: Client, bucket: string, prefix: string): Promise<string[]> {
  return guarded(`cannot list ${prefix} in bucket ${bucket}`, async () => {
    // By folder: s3proxy never ends a recursive listing of a day past 1,000 objects (lake-listing.ts).
    return (await listObjectsByFolder(s3, bucket, prefix)).map((item) => item.name);
  });
}

async function download(s3: Client, bucket: string, name: string): Promise<Uint8Array> {
  return guarded(`cannot read ${name}`, async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of await s3.getObject(bucket, name)) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  });
}

async function guarded<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new HubError(hubErrorCodes.lake, `${what}: ${(error as Error).message}`, { cause: error, canRetry: true });
  }
}
