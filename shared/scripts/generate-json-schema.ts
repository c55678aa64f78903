import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractJsonSchemas } from '../src/contracts/json-schema.ts';

// Writes shared/json-schema/*.json; contracts.test.ts fails when the committed files are stale.
const outDir = fileURLToPath(new URL('../json-schema/', import.meta.url));
for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(`${outDir}${file}`, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote shared/json-schema/${file}`);
}
