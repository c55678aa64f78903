import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { HubError, hubErrorCodes } from '../errors.ts';
import { type DashboardUser, dashboardRoleSchema } from './roles.ts';

// Dashboard users live in a file, not in ClickHouse: with embedded chDB the running hub holds the one
// data directory, so a CLI writing users into ClickHouse could not run beside it. A file (mode 0600,
// replaced atomically) lets `tillgate-hub user add` work while the hub runs; the hub re-reads it when
// it changes, so a removed user is logged out on their next request.

const storeIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

const userRecordSchema = z
  .strictObject({
    username: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'use 1-64 lower-case letters, digits, ".", "_" or "-"'),
    role: dashboardRoleSchema,
    storeId: z.string().regex(storeIdPattern, 'not a store id').nullable(),
    passwordHash: z.string().startsWith('scrypt$'),
    createdAt: z.string(),
  })
  .refine((user) => (user.role === 'store-manager') === (user.storeId !== null), {
    message: 'a store-manager needs a store, and only a store-manager has one',
    path: ['storeId'],
  });

const userFileSchema = z.strictObject({ users: z.array(userRecordSchema) });

export type UserRecord = z.infer<typeof userRecordSchema>;

export class UserFile {
  readonly #path: string;
  #cache: { mtimeMs: number; users: Map<string, UserRecord> } | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  /** The user as stored now, or undefined (no such user, or no users file yet). */
  find(username: string): UserRecord | undefined {
    return this.#load().get(username);
  }

  list(): UserRecord[] {
    return [...this.#load().values()];
  }

  /** The session's user if it still exists with the same role and store; else undefined (logged out). */
  confirm(user: DashboardUser): DashboardUser | undefined {
    const record = this.find(user.username);
    if (record === undefined || record.role !== user.role || record.storeId !== user.storeId) return undefined;
    return user;
  }

  add(record: UserRecord): void {
    const parsed = userRecordSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HubError(hubErrorCodes.usage, `user ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    if (this.find(record.username) !== undefined) {
      throw new HubError(hubErrorCodes.usage, `user "${record.username}" exists; remove it first to change it`);
    }
    this.#write([...this.list(), parsed.data]);
  }

  remove(username: string): boolean {
    const users = this.list();
    const kept = users.filter((user) => user.username !== username);
    if (kept.length === users.length) return false;
    this.#write(kept);
    return true;
  }

  #load(): Map<string, UserRecord> {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.#path).mtimeMs;
    } catch {
      return new Map(); // no file yet: nobody can log in until `tillgate-hub user add`
    }
    if (this.#cache?.mtimeMs === mtimeMs) return this.#cache.users;
    let parsed: z.infer<typeof userFileSchema>;
    try {
      parsed = userFileSchema.parse(JSON.parse(readFileSync(this.#path, 'utf8')));
    } catch (error) {
      throw new HubError(hubErrorCodes.auth, `users file ${this.#path} is not valid: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const users = new Map(parsed.users.map((user) => [user.username, user]));
    this.#cache = { mtimeMs, users };
    return users;
  }

  #write(users: UserRecord[]): void {
    mkdirSync(dirname(this.#path), { recursive: true });
    const temporary = `${this.#path}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.#path);
    this.#cache = undefined;
  }
}
