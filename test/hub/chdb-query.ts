import { createClickHouse } from '@tillgate/hub';

// `node --import tsx test/hub/chdb-query.ts <chdb dir> <sql>` prints the rows as JSON. For tests that
// read more than one chDB directory: chDB binds one directory per process, so each read is a process.
const [dataPath = '', query = ''] = process.argv.slice(2);
const client = createClickHouse({ dataPath, username: 'default', password: '' });
try {
  const rows = await (await client.query({ query, format: 'JSONEachRow' })).json();
  process.stdout.write(JSON.stringify(rows));
} finally {
  await client.close();
}
