/**
 * sockftp serving an S3 bucket: `serve s3://BUCKET --s3-endpoint ...
 * --s3-path-style`, the gateway's keys in its environment (the SDK's chain
 * finds them there), and a users file whose account has the bucket as home.
 */
import * as path from 'node:path';
import type { RgwEnv } from '../../test/helpers/rgw.js';
import { REPO_ROOT } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { mustRun } from './localUser.js';
import { ServerProcess } from './ServerProcess.js';

export interface S3Location {
  readonly bucket: string;
  readonly endpoint: string;
  readonly env: RgwEnv;
}

export async function startSockftpOnS3(setup: Omit<ServerSetup, 'root'>, s3: S3Location, cli: string): Promise<BenchServer> {
  const root = `s3://${s3.bucket}`;
  const users = path.join(setup.confDir, 'users.json');
  await mustRun(process.execPath, [cli, 'user', 'add', setup.login.user, '--users', users, '--home', root, '--perms', 'rw'], '', {
    ...process.env,
    SOCKFTP_PASSWORD: setup.login.password,
  });
  const args = [
    ...[cli, 'serve', root, '--s3-endpoint', s3.endpoint, '--s3-path-style', '--port', '0', '--host', '127.0.0.1'],
    ...['--max-per-ip', String(setup.maxClients), '--log-level', 'warn', '--pasv-ports', setup.passivePorts.join('-'), '--users', users],
  ];
  // rgw.env()'s undefined entries (AWS_PROFILE, AWS_CA_BUNDLE, ...) leave those variables out.
  const server = new ServerProcess(process.execPath, args, { env: { ...process.env, ...s3.env } });
  return server.asBenchServer(async () => {
    const port = Number((await server.waitForOutput(/ftp:\/\/127\.0\.0\.1:(\d+)/))[1]);
    await server.waitForGreeting(port);
    const command = ['node', ...args].join(' ').replace(cli, cli.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, cli) : cli);
    return { name: 'sockftp', port, version: `${await buildOf(cli)} on S3`, command };
  });
}

/**
 * The commit of the checkout `cli` was built in, marked when tracked files
 * have changed since; nothing for a build exported with `git archive`.
 */
async function buildOf(cli: string): Promise<string> {
  const checkout = path.resolve(path.dirname(cli), '../../..');
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' };
  const git = (args: string[]) =>
    mustRun('git', ['-C', checkout, ...args], '', env).then(
      (out) => out.trim(),
      () => '',
    );
  const commit = await git(['rev-parse', '--short', 'HEAD']);
  if (!commit) return `sockftp (${checkout})`;
  return `sockftp (${commit}${(await git(['status', '--porcelain', '--untracked-files=no'])) ? ' + uncommitted changes' : ''})`;
}
