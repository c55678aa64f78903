import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// setup.sh used to end with the failing component's exit status and nothing else: on a fresh machine
// the log stopped after npm's "added 286 packages" and no line said that setup had failed, or where.
const setup = join(import.meta.dirname, '../../deploy/local/setup.sh');

describe('setup.sh with a component that fails', () => {
  it('exits non-zero naming the component', () => {
    // A component without an installer fails the same way a failing installer does.
    const result = spawnSync('bash', [setup, 'no-such-component'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/setup: no-such-component failed/);
  });
});
