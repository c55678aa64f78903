import { describe, expect, it } from 'vitest';
import { hashPassword, passwordHashPattern, verifyPassword } from './password-hash.ts';

describe('password hashes', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('pos-01 secret');
    expect(hash).toMatch(passwordHashPattern);
    expect(await verifyPassword(hash, 'pos-01 secret')).toBe(true);
    expect(await verifyPassword(hash, Buffer.from('pos-01 secret'))).toBe(true);
    expect(await verifyPassword(hash, 'pos-01 secreT')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('never matches a malformed hash', async () => {
    expect(await verifyPassword('plain-text', 'plain-text')).toBe(false);
  });
});
