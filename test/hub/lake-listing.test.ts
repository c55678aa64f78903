import { randomUUID } from 'node:crypto';
import { localStack } from '@tillgate/shared/local-stack';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listObjectsByFolder } from '../../hub/src/lake/lake-listing.ts';

// Regression (issue 13): a recursive listing of a lake day with more than 1,000 objects in store
// folders never ended on s3proxy (the local stack's S3 server): its filesystem store resumes a page
// from the start of the marker's folder, so the same 1,000 keys came back for ever. compact-lake lists
// exactly such a day; bench/hub-fleet hung there after its run. The lake's own shape, on the real server.
const s3 = new Client({ ...localStack.s3, pathStyle: true });
const bucket = `tg-list-${randomUUID().slice(0, 12)}`;
const prefix = 'lake/sales-transactions/date=2026-03-01/';
const stores = 40;
const perStore = 27; // 1,080 objects: past one page of 1,000
const names = Array.from({ length: stores * perStore }, (_, i) => {
  const store = `store=s${String(i % stores).padStart(3, '0')}`;
  return `${prefix}${store}/sales-transactions-p${i % 6}-o${i}.parquet`;
}).sort();

beforeAll(async () => {
  await s3.makeBucket(bucket);
  for (let i = 0; i < names.length; i += 40) {
    await Promise.all(names.slice(i, i + 40).map((name) => s3.putObject(bucket, name, Buffer.from(name))));
  }
}, 120_000);

afterAll(async () => {
  for (let i = 0; i < names.length; i += 1_000) await s3.removeObjects(bucket, names.slice(i, i + 1_000));
  await s3.removeBucket(bucket);
});

describe('listing a lake day past one page', () => {
  it('returns every object once, with its size', async () => {
    const listed = await listObjectsByFolder(s3, bucket, 'lake/');
    expect(listed.map((item) => item.name)).toEqual(names);
    expect(listed[0]?.size).toBe(Buffer.byteLength(names[0] ?? ''));
  }, 60_000);
});
