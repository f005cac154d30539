/**
 * Who the client logs in as. A user named on the command line or in the URL
 * takes its password from the URL, else SOCKFTP_PASSWORD, else the .netrc
 * entry for that login, else a prompt. With no user named, the .netrc entry
 * for the host (or its "default") gives both (a password missing there is
 * asked for the same way); without one the login is anonymous.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientError, toClientError } from './ClientError.js';
import type { Credentials } from './FtpClient.js';
import { findNetrcEntry, parseNetrc } from './netrc.js';

const ANONYMOUS: Credentials = { user: 'anonymous', password: 'sockftp@' };

export interface CredentialSources {
  readonly host: string;
  /** From --user or the URL. */
  readonly user: string | null;
  /** From the URL. */
  readonly password: string | null;
  /** Asks for the user's password without echoing it; null where no one can answer. */
  readonly prompt: ((user: string) => Promise<string>) | null;
}

export async function resolveCredentials(s: CredentialSources): Promise<Credentials> {
  const entry = findNetrcEntry(readNetrc(), s.host, s.user);
  const user = s.user ?? entry?.login ?? null;
  if (user === null) return ANONYMOUS;
  const fromEnv = process.env.SOCKFTP_PASSWORD;
  // A login .netrc chose comes with its own password; SOCKFTP_PASSWORD is for a user named here.
  const known = s.password ?? (s.user === null ? (entry?.password ?? fromEnv) : (fromEnv ?? entry?.password)) ?? null;
  const password = known ?? (s.prompt ? await s.prompt(user) : null);
  if (password === null) throw new ClientError([{ problem: 'noPassword', args: [user] }], 'login');
  return { user, password };
}

/** $NETRC, else ~/.netrc; a missing file is no entries. */
function readNetrc() {
  const file = process.env.NETRC || path.join(os.homedir(), '.netrc');
  try {
    return parseNetrc(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toClientError(err, { local: file });
  }
}
