/**
 * The one account every server logs in: a local system user (vsftpd only
 * knows those, through PAM), whose name and password the other servers are
 * given too. Made for the run, removed at its end.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { run } from '../../test/helpers/processes.js';
import type { Login } from '../client/BenchClient.js';

export interface LocalUser {
  readonly login: Login;
  readonly uid: number;
  readonly gid: number;
  /** userdel, without -r: the home is the benchmark's own temporary tree, removed by the benchmark. */
  remove(): Promise<void>;
}

/** Why no local user can be made here, or null when one can. */
export function localUserUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'making a local user for vsftpd needs root';
  if (!loginShell()) return 'no shell is listed in /etc/shells, so PAM would refuse the user';
  return null;
}

export async function createLocalUser(home: string): Promise<LocalUser> {
  // useradd wants lower-case letters, digits and '-'; PAM (pam_shells) wants a shell from /etc/shells.
  const login = { user: `sfbench-${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  await mustRun('useradd', ['--home-dir', home, '--no-create-home', '--shell', loginShell()!, login.user]);
  const remove = async () => void (await mustRun('userdel', [login.user]));
  try {
    await mustRun('chpasswd', [], `${login.user}:${login.password}\n`);
    const entry = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${login.user}:`));
    const [uid, gid] = entry!.split(':').slice(2, 4).map(Number) as [number, number];
    return { login, uid, gid, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** A shell listed in /etc/shells, /bin/sh when it is there. */
function loginShell(): string | null {
  const text = fs.existsSync('/etc/shells') ? fs.readFileSync('/etc/shells', 'utf8') : '';
  const shells = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('/') && fs.existsSync(line));
  return shells.includes('/bin/sh') ? '/bin/sh' : (shells[0] ?? null);
}

export async function mustRun(command: string, args: readonly string[], input?: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, { input, env: env ?? process.env, timeoutMs: 120_000 });
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.code ?? result.signal}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}
