/**
 * vsftpd (Debian's package) in the foreground with a configuration of its
 * own, logging in the benchmark's local user, whose home is the fixture.
 * (After test/helpers/peers.ts, with limits raised for 200 clients.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasProgram } from '../../test/helpers/processes.js';
import { vsftpdConfigText } from '../../test/helpers/vsftpdConfig.js';
import { freePort } from './ports.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { mustRun } from './localUser.js';
import { ServerProcess } from './ServerProcess.js';

export async function startVsftpd(setup: ServerSetup): Promise<BenchServer> {
  if (!(await hasProgram('vsftpd'))) throw new Error('vsftpd is not installed (.ci/run installs it)');
  // vsftpd confines its pre-login process here (chroot, then nopriv_user): an empty directory
  // that user can reach but not write to. The default one comes from systemd-tmpfiles, not always run.
  const empty = path.join(setup.confDir, 'empty');
  fs.mkdirSync(empty);
  fs.chmodSync(setup.confDir, 0o755);
  const port = await freePort();
  const [pasvLow, pasvHigh] = setup.passivePorts;
  const settings = vsftpdConfigText({ port, passivePorts: [pasvLow, pasvHigh], emptyDir: empty, maxClients: setup.maxClients });
  const conf = path.join(setup.confDir, 'vsftpd.conf');
  fs.writeFileSync(conf, settings);
  // vsftpd writes its start-up errors ("500 OOPS: ...") to descriptor 0, the control connection
  // of inetd mode; pointing 0 at standard output makes them part of the output we keep. With
  // `exec` the shell becomes vsftpd, so the pid whose tree is measured and stopped is vsftpd's.
  const args = ['-c', 'exec vsftpd "$1" 0<&1', 'sh', conf];
  const server = new ServerProcess('sh', args);
  return server.asBenchServer(async () => {
    await server.waitForGreeting(port);
    const written = settings.trim().split('\n').join(' ');
    return { name: 'vsftpd', port, version: await vsftpdVersion(), command: `sh -c 'exec vsftpd "$1" 0<&1' sh vsftpd.conf  # ${written}` };
  });
}

/** `vsftpd -v` writes "vsftpd: version 3.0.3" to descriptor 0, like its start-up errors. */
async function vsftpdVersion(): Promise<string> {
  const out = await mustRun('sh', ['-c', 'vsftpd -v 0>&1']).catch(() => '');
  return `vsftpd ${/version (\S+)/.exec(out)?.[1] ?? '(version unknown)'}`;
}
