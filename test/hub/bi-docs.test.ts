import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  measuresMarkdown,
  serviceAccountsExampleJsonl,
  serviceAccountsExampleSql,
} from '../../hub/src/bi/power-bi-docs.ts';

// docs/powerbi/ shows the DAX and SQL the tests run; regenerate with `npm run generate -w hub`.
const doc = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../docs/powerbi/${name}`, import.meta.url)), 'utf8');

describe('generated Power BI docs', () => {
  it('measures.md and the service-account examples are up to date', () => {
    expect(doc('measures.md')).toBe(measuresMarkdown());
    expect(doc('service-accounts.example.sql')).toBe(serviceAccountsExampleSql());
    expect(doc('service-accounts.example.jsonl')).toBe(serviceAccountsExampleJsonl());
  });
});
