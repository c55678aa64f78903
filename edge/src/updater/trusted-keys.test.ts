import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdOf, loadTrustedKeys } from './trusted-keys.ts';
import { bundledTrustedKeys } from './updater-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pinned model signing keys', () => {
  it('loads the bundled pin, whose id is the key fingerprint the Python signer prints', () => {
    const keys = loadTrustedKeys(bundledTrustedKeys);
    expect([...keys.keys()]).toEqual([
      'ed25519-d16ecfb86e00a300',
      'ed25519-55c1b553221f0780',
      'ed25519-8f5befe2cc341718',
    ]);
  });

  it('refuses a pin whose file holds another key than its id names', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const file = join(dir, 'swapped.pub.pem');
    writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(() => loadTrustedKeys([{ id: 'ed25519-d16ecfb86e00a300', file }])).toThrow(
      new RegExp(`holds key ${keyIdOf(publicKey)}, not ed25519-d16ecfb86e00a300`),
    );
  });
});
