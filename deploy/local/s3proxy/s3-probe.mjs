// Readiness probe for deploy/local/s3proxy.sh: a signed ListBuckets with the local credentials.
// An open port proves nothing here: the JVM opens the port before the blob store is ready,
// and only a signed request shows the identities file was loaded.
import { Client } from 'minio';

const client = new Client({
  endPoint: '127.0.0.1',
  port: Number(process.env.TG_S3_PORT),
  useSSL: false,
  accessKey: process.env.TG_S3_ACCESS_KEY ?? '',
  secretKey: process.env.TG_S3_SECRET_KEY ?? '',
});

try {
  await client.listBuckets();
} catch (error) {
  console.error(`s3 probe: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
