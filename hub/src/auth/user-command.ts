import { randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import type { HubConfig } from '../config.ts';
import { HubError, hubErrorCodes } from '../errors.ts';
import { hashPassword } from './password-hash.ts';
import { dashboardRoleSchema, dashboardRoles } from './roles.ts';
import { UserFile } from './user-file.ts';

export const userUsage = `  user add <name> --role admin|ops|store-manager [--store <id>] [--password-stdin]
                                  create a dashboard user; prints a generated password unless read from stdin
  user list                       users, roles and stores as JSON (no hashes)
  user remove <name>              delete a user (their sessions end on their next request)`;

export interface UserCommandArgs {
  action: string | undefined;
  username: string | undefined;
  role: string | undefined;
  store: string | undefined;
  passwordStdin: boolean;
}

const minimumPasswordLength = 12; // characters; NIST SP 800-63B asks for at least 8, we ask a bit more

/** `tillgate-hub user ...`: works while the hub runs (the users file is re-read on change). */
export async function userCommand(config: HubConfig, args: UserCommandArgs): Promise<string> {
  const users = new UserFile(config.api.auth.usersFile);
  switch (args.action) {
    case 'add':
      return addUser(users, args);
    case 'list':
      return JSON.stringify(
        users.list().map(({ username, role, storeId, createdAt }) => ({ username, role, storeId, createdAt })),
        null,
        2,
      );
    case 'remove': {
      const name = required(args.username, 'user remove <name>');
      if (!users.remove(name)) throw new HubError(hubErrorCodes.usage, `no user "${name}" in ${users.path}`);
      return `removed ${name}`;
    }
    default:
      throw new HubError(hubErrorCodes.usage, `user takes add, list or remove\n${userUsage}`);
  }
}

async function addUser(users: UserFile, args: UserCommandArgs): Promise<string> {
  const username = required(args.username, 'user add <name>');
  const role = dashboardRoleSchema.safeParse(args.role);
  if (!role.success) throw new HubError(hubErrorCodes.usage, `--role must be one of ${dashboardRoles.join(', ')}`);
  if ((role.data === 'store-manager') !== (args.store !== undefined)) {
    throw new HubError(hubErrorCodes.usage, '--store <id> is required for a store-manager and only for one');
  }
  const generated = !args.passwordStdin;
  const password = generated
    ? randomBytes(15).toString('base64url')
    : (await text(process.stdin)).replace(/\r?\n$/, '');
  if (password.length < minimumPasswordLength) {
    throw new HubError(hubErrorCodes.usage, `password must have at least ${minimumPasswordLength} characters`);
  }
  users.add({
    username,
    role: role.data,
    storeId: args.store ?? null,
    passwordHash: await hashPassword(password),
    createdAt: new Date().toISOString(),
  });
  return generated ? `${username} ${password}` : `added ${username}`;
}

function required(value: string | undefined, usage: string): string {
  if (value === undefined || value === '') throw new HubError(hubErrorCodes.usage, `usage: tillgate-hub ${usage}`);
  return value;
}
