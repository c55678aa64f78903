import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Nothing the dashboard asks ClickHouse is built by string interpolation: every value travels as a
// query parameter ({name:Type}). A template literal holding SQL and a `${` is how an injection
// starts, so this fails on the first one in the API and dashboard code.
const hub = fileURLToPath(new URL('../../hub/src/', import.meta.url));
const dirs = ['api', 'api/routes', 'dashboard', 'fleet', 'auth'];

describe('dashboard SQL', () => {
  it('binds every value as a parameter', () => {
    const offenders: string[] = [];
    let queries = 0;
    for (const dir of dirs) {
      for (const file of readdirSync(join(hub, dir)).filter(
        (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
      )) {
        const source = readFileSync(join(hub, dir, file), 'utf8');
        for (const literal of source.matchAll(/`([^`]*)`/g)) {
          const text = literal[1] ?? '';
          if (!/\bSELECT\b/.test(text)) continue;
          queries++;
          if (text.includes('${')) offenders.push(`${dir}/${file}: ${text.slice(0, 80).replace(/\s+/g, ' ')}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(8);
    expect(offenders).toEqual([]);
  });
});
