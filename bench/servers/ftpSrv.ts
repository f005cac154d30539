/**
 * ftp-srv from npm, a benchmark peer only: installed on demand into
 * bench/.peers (git-ignored, outside package.json), run by ftpSrvLauncher.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BENCH_DIST, PEERS_PREFIX, REPO_ROOT } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { mustRun } from './localUser.js';
import { ServerProcess } from './ServerProcess.js';

/** Pinned, so that runs compare the same peer; its `engines` is ">=12", which Node 20 meets. */
const FTP_SRV_VERSION = '4.6.3';

export async function startFtpSrv(setup: ServerSetup): Promise<BenchServer> {
  const engines = await installFtpSrv();
  const launcher = path.join(BENCH_DIST, 'servers', 'ftpSrvLauncher.js');
  const args = [launcher, setup.login.user, setup.root, ...setup.passivePorts.map(String)];
  const server = new ServerProcess(process.execPath, args, { env: { ...process.env, BENCH_FTP_PASSWORD: setup.login.password } });
  return server.asBenchServer(async () => {
    const started = await server.waitForOutput(/^(ftp-srv \S+) listening on (\d+)$/m);
    const port = Number(started[2]);
    await server.waitForGreeting(port);
    const command = ['node', path.relative(REPO_ROOT, launcher), ...args.slice(1)].join(' ');
    return { name: 'ftp-srv', port, version: `${started[1]} (engines: node ${engines})`, command };
  });
}

/**
 * Installs the pinned version unless it is there already, and returns its
 * `engines.node`. --engine-strict makes npm refuse a package (or dependency)
 * whose `engines` excludes the running Node, instead of installing it anyway.
 */
async function installFtpSrv(): Promise<string> {
  const manifest = path.join(PEERS_PREFIX, 'node_modules', 'ftp-srv', 'package.json');
  const read = () => JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string; engines?: { node?: string } };
  if (!fs.existsSync(manifest) || read().version !== FTP_SRV_VERSION) {
    console.log(`installing ftp-srv@${FTP_SRV_VERSION} into ${path.relative(REPO_ROOT, PEERS_PREFIX)}/ ...`);
    fs.mkdirSync(PEERS_PREFIX, { recursive: true });
    await mustRun('npm', ['install', '--prefix', PEERS_PREFIX, '--engine-strict', '--no-audit', '--no-fund', `ftp-srv@${FTP_SRV_VERSION}`]);
  }
  return read().engines?.node ?? '(none stated)';
}
