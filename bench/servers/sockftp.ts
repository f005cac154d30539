/**
 * sockftp itself, with a users file holding the benchmark's account. `cli` is
 * the build to measure: this checkout's dist/ by default, or another (a
 * build of an older commit, to compare).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, SOCKFTP_CLI } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { mustRun } from './localUser.js';
import { ServerProcess } from './ServerProcess.js';

/** `nodeArgs` go before the script (`--cpu-prof`); `env` is the server's whole environment (SOCKFTP_NO_NATIVE). */
export async function startSockftp(setup: ServerSetup, cli = SOCKFTP_CLI, nodeArgs: readonly string[] = [], env = process.env): Promise<BenchServer> {
  const users = path.join(setup.confDir, 'users.json');
  // Through the CLI, as an operator would: the password is hashed the way real accounts are.
  await mustRun(process.execPath, [cli, 'user', 'add', setup.login.user, '--users', users, '--home', setup.root, '--perms', 'rw'], '', {
    ...process.env,
    SOCKFTP_PASSWORD: setup.login.password,
  });
  const args = [
    ...[cli, 'serve', setup.root, '--port', '0', '--host', '127.0.0.1', '--max-per-ip', '1000', '--log-level', 'warn'],
    ...['--pasv-ports', setup.passivePorts.join('-'), '--users', users],
  ];
  const server = new ServerProcess(process.execPath, [...nodeArgs, ...args], { env });
  return server.asBenchServer(async () => {
    // The start line is printed whatever the log level, so scripts can read the port.
    const port = Number((await server.waitForOutput(/ftp:\/\/127\.0\.0\.1:(\d+)/))[1]);
    await server.waitForGreeting(port);
    const command = ['node', ...nodeArgs, ...args].join(' ').replace(cli, cli.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, cli) : cli);
    return { name: 'sockftp', port, version: await sockftpVersion(cli), command };
  });
}

/**
 * The package version and the commit of the checkout `cli` belongs to,
 * marked when its working tree has changes (the usual case while optimising).
 */
async function sockftpVersion(cli: string): Promise<string> {
  const checkout = checkoutOf(cli);
  const { version } = JSON.parse(fs.readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { version: string };
  const commit = await git(checkout, ['rev-parse', '--short', 'HEAD']);
  const changed = (await git(checkout, ['status', '--porcelain', '--untracked-files=no'])) !== '';
  return `sockftp ${version}${commit ? ` (${commit}${changed ? ' + uncommitted changes' : ''})` : ''}`;
}

/**
 * The full commit `cli` was built from, for the results file, or "unknown"
 * when its checkout is not the top of a git work tree: an export made with
 * `git archive` has no commit, and one placed inside some other repository
 * must not be given that repository's.
 */
export async function sockftpCommit(cli: string): Promise<string> {
  const checkout = checkoutOf(cli);
  const top = await git(checkout, ['rev-parse', '--show-toplevel']);
  if (top === '' || fs.realpathSync(top) !== fs.realpathSync(checkout)) return 'unknown';
  return (await git(checkout, ['rev-parse', 'HEAD'])) || 'unknown';
}

/** dist/src/cli/main.js -> the checkout it was built in. */
function checkoutOf(cli: string): string {
  return path.resolve(path.dirname(cli), '../../..');
}

/** git's output, trimmed, or '' when git fails (no git, not a work tree). */
function git(checkout: string, args: readonly string[]): Promise<string> {
  // GIT_OPTIONAL_LOCKS=0: only look; `git status` would otherwise refresh the index.
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  return mustRun('git', ['-C', checkout, ...args], '', env).then(
    (out) => out.trim(),
    () => '',
  );
}
