/**
 * The users file (`--users FILE`): JSON with one entry per account, written
 * by `sockftp user add` and re-read on SIGHUP.
 *
 *   { "users": { "alice": { "password": "scrypt:...", "home": "/srv/alice", "permissions": ["read", "write"] } } }
 *
 * `home` is the account's virtual root: a directory, inside or outside the
 * served root, or a location such as "s3://bucket/prefix" that the storage
 * provider understands; null means the served root itself. Rewrites are atomic (temp file + rename).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isPasswordHash } from './passwordHash.js';
import { ALL_PERMISSIONS, type Permission } from './permissions.js';

export interface UserRecord {
  readonly password: string;
  readonly home: string | null;
  readonly permissions: ReadonlySet<Permission>;
}

export type Users = ReadonlyMap<string, UserRecord>;

/** A users file that cannot be used; the message names the file and what is wrong, in one line. */
export class UsersFileError extends Error {
  constructor(file: string, problem: string) {
    super(`users file ${file}: ${problem}`);
    this.name = 'UsersFileError';
  }
}

/** User names are plain: no spaces, no control characters, nothing a log line or a path could misread. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

export async function readUsersFile(file: string): Promise<Users> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new UsersFileError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsersFileError(file, `not valid JSON (${(err as Error).message})`);
  }
  const users = (data as { users?: unknown } | null)?.users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) throw new UsersFileError(file, 'expected {"users": {NAME: {...}}}');
  const out = new Map<string, UserRecord>();
  for (const [name, entry] of Object.entries(users)) out.set(name, parseEntry(file, name, entry));
  return out;
}

export async function writeUsersFile(file: string, users: Users): Promise<void> {
  const body: Record<string, unknown> = {};
  for (const [name, u] of [...users].sort(([a], [b]) => (a < b ? -1 : 1))) {
    body[name] = { password: u.password, home: u.home, permissions: [...u.permissions] };
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // 0600: the hashes are slow to crack, not impossible.
  await fs.writeFile(temp, JSON.stringify({ users: body }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/** An absolute directory or a location with a scheme; which schemes exist is the storage provider's business. */
export function isHomeForm(home: string): boolean {
  return path.isAbsolute(home) || /^[a-z][a-z0-9+.-]*:\/\/./.test(home);
}

function parseEntry(file: string, name: string, entry: unknown): UserRecord {
  // JSON quoting keeps a hostile name (a newline, a quote) to one line of the error.
  const bad = (problem: string) => new UsersFileError(file, `user ${JSON.stringify(name)}: ${problem}`);
  if (!USER_NAME_PATTERN.test(name)) throw bad('names may use letters, digits and . _ @ - only');
  if (typeof entry !== 'object' || entry === null) throw bad('expected an object');
  const { password, home, permissions } = entry as Record<string, unknown>;
  if (typeof password !== 'string' || !isPasswordHash(password)) throw bad('"password" must be a scrypt hash written by `sockftp user add`');
  if (home !== null && home !== undefined && (typeof home !== 'string' || !isHomeForm(home))) {
    throw bad('"home" must be an absolute path, a location such as s3://bucket/prefix, or null');
  }
  if (!Array.isArray(permissions) || !permissions.every((p) => ALL_PERMISSIONS.has(p as Permission))) {
    throw bad(`"permissions" must be a list of ${[...ALL_PERMISSIONS].join(', ')}`);
  }
  return { password, home: home ?? null, permissions: new Set(permissions as Permission[]) };
}
