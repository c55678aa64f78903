import type { Client } from 'minio';

export interface ListedObject {
  name: string;
  size: number;
}

/**
 * Every object under `prefix`, listed one folder level at a time (delimiter "/") and descending into
 * each sub-folder. Not one recursive listing: s3proxy's filesystem store (the local stack's and the
 * tests' S3 server) pages a recursive listing by a marker it resumes from the start of the marker's
 * folder, so past 1,000 keys in nested folders the same page comes back for ever (seen: a 1,350-object
 * lake prefix listed 7,000 times without an end). Per level it pages right; MinIO and S3 list the
 * same objects either way, at one request per folder more.
 */
export async function listObjectsByFolder(s3: Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  const folders = [prefix];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for await (const item of s3.listObjectsV2(bucket, folder, false)) {
      if (item.prefix !== undefined && item.prefix !== folder) folders.push(item.prefix);
      else if (item.name !== undefined) objects.push({ name: item.name, size: item.size ?? 0 });
    }
  }
  return objects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
