/** `sockftp user add NAME --users FILE [--home DIR] [--perms r|rw]`: adds or updates an account. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashPassword } from '../auth/passwordHash.js';
import { parsePermissionLevel } from '../auth/permissions.js';
import { USER_NAME_PATTERN, UsersFileError, readUsersFile, writeUsersFile, type UserRecord } from '../auth/UsersFile.js';
import { checkLocation } from '../storage/backends.js';
import { CliError } from './CliError.js';
import { passwordFromEnvOrPrompt } from './password.js';

export interface UserAddOptions {
  users: string;
  home?: string;
  perms: string;
}

export async function userAdd(name: string, o: UserAddOptions): Promise<void> {
  if (!USER_NAME_PATTERN.test(name)) throw new CliError(`user name "${name}": use letters, digits and . _ @ - only (at most 64)`);
  const permissions = parsePermissionLevel(o.perms);
  if (!permissions) throw new CliError(`--perms must be r or rw, not "${o.perms}"`);
  let home: string | null = null;
  try {
    if (o.home !== undefined) home = checkLocation(o.home);
  } catch (err) {
    throw new CliError(`--home ${(err as Error).message}`);
  }
  const file = path.resolve(o.users);
  let users: Map<string, UserRecord>;
  try {
    users = fs.existsSync(file) ? new Map<string, UserRecord>(await readUsersFile(file)) : new Map<string, UserRecord>();
  } catch (err) {
    throw new CliError(err instanceof UsersFileError ? err.message : (err as Error).message);
  }
  const password = await passwordFromEnvOrPrompt(`Password for ${name}: `);
  if (password === '') throw new CliError('the password is empty');
  const existed = users.has(name);
  users.set(name, { password: await hashPassword(password), home, permissions });
  try {
    await writeUsersFile(file, users);
  } catch (err) {
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
  }
  process.stdout.write(`${existed ? 'updated' : 'added'} user ${name} (${o.perms}, home ${home ?? 'the served root'}) in ${file}\n`);
}
