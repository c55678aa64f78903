import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measuresMarkdown, serviceAccountsExampleJsonl, serviceAccountsExampleSql } from '../src/bi/power-bi-docs.ts';

// Writes the generated parts of docs/powerbi/; test/hub/bi-docs.test.ts fails when they are stale.
const dir = fileURLToPath(new URL('../../docs/powerbi/', import.meta.url));
writeFileSync(`${dir}measures.md`, measuresMarkdown());
writeFileSync(`${dir}service-accounts.example.sql`, serviceAccountsExampleSql());
writeFileSync(`${dir}service-accounts.example.jsonl`, serviceAccountsExampleJsonl());
console.log('wrote docs/powerbi/measures.md, service-accounts.example.sql, service-accounts.example.jsonl');
