import { Client } from 'minio';
import type { HubConfig } from '../config.ts';

/** The lake's S3 client: MinIO in production, s3proxy locally, always through the `minio` client. */
export function createS3Client(s3: HubConfig['lake']['s3']): Client {
  return new Client({
    endPoint: s3.endPoint,
    port: s3.port,
    useSSL: s3.useSSL,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    pathStyle: true,
  });
}
