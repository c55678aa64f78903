import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { UserFile } from './user-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'tillgate-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('password hashes', () => {
  it('verify the password they were made from and nothing else', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('a long enough password', hash)).toBe(true);
    expect(await verifyPassword('a long enough passworD', hash)).toBe(false);
    expect(await verifyPassword('a long enough password', 'md5$abc')).toBe(false);
  });
});

describe('users file', () => {
  const record = { passwordHash: 'scrypt$1$1$1$AA==$AA==', createdAt: '2026-12-01T00:00:00.000Z' };

  it('adds, finds, lists and removes users in a 0600 file', () => {
    const users = new UserFile(join(dir, 'a', 'users.json'));
    expect(users.find('ann')).toBeUndefined();
    users.add({ username: 'ann', role: 'ops', storeId: null, ...record });
    users.add({ username: 'bob', role: 'store-manager', storeId: 'store-007', ...record });
    expect(statSync(users.path).mode & 0o777).toBe(0o600);
    expect(users.list().map((user) => user.username)).toEqual(['ann', 'bob']);
    expect(users.confirm({ username: 'bob', role: 'store-manager', storeId: 'store-007' })).toBeDefined();
    expect(users.confirm({ username: 'bob', role: 'store-manager', storeId: 'store-008' })).toBeUndefined();
    expect(users.remove('ann')).toBe(true);
    expect(users.remove('ann')).toBe(false);
    expect(new UserFile(users.path).list().map((user) => user.username)).toEqual(['bob']);
  });

  it('refuses a duplicate, a manager without a store and an ops user with one', () => {
    const users = new UserFile(join(dir, 'b', 'users.json'));
    users.add({ username: 'ann', role: 'ops', storeId: null, ...record });
    expect(() => users.add({ username: 'ann', role: 'ops', storeId: null, ...record })).toThrow(/exists/);
    expect(() => users.add({ username: 'cy', role: 'store-manager', storeId: null, ...record })).toThrow(/store/);
    expect(() => users.add({ username: 'di', role: 'ops', storeId: 'store-1', ...record })).toThrow(/store/);
    expect(() => users.add({ username: 'Bad Name', role: 'ops', storeId: null, ...record })).toThrow(/username/);
  });

  it('names the file when it is corrupt instead of letting nobody in silently', () => {
    const path = join(dir, 'corrupt.json');
    writeFileSync(path, '{"users": [{"username": 1}]}');
    expect(() => new UserFile(path).find('ann')).toThrow(/corrupt\.json is not valid/);
  });
});
