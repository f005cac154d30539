/**
 * vsftpd (Debian's package) in the foreground with a configuration of its
 * own, logging in the benchmark's local user, whose home is the fixture.
 * (After test/helpers/peers.ts, with limits raised for 200 clients.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasProgram } from '../../test/helpers/processes.js';
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
  const settings: Record<string, string | number> = {
    listen: 'YES',
    background: 'NO',
    listen_address: '127.0.0.1',
    listen_port: port,
    local_enable: 'YES',
    write_enable: 'YES',
    anonymous_enable: 'NO',
    pasv_min_port: pasvLow,
    pasv_max_port: pasvHigh,
    max_clients: setup.maxClients,
    max_per_ip: setup.maxClients,
    // Containers often refuse vsftpd's seccomp filter and its new PID and network namespaces.
    seccomp_sandbox: 'NO',
    isolate: 'NO',
    isolate_network: 'NO',
    chroot_local_user: 'NO',
    secure_chroot_dir: empty,
  };
  const conf = path.join(setup.confDir, 'vsftpd.conf');
  fs.writeFileSync(conf, Object.entries(settings).map(([key, value]) => `${key}=${value}\n`).join(''));
  // vsftpd writes its start-up errors ("500 OOPS: ...") to descriptor 0, the control connection
  // of inetd mode; pointing 0 at standard output makes them part of the output we keep. With
  // `exec` the shell becomes vsftpd, so the pid whose tree is measured and stopped is vsftpd's.
  const args = ['-c', 'exec vsftpd "$1" 0<&1', 'sh', conf];
  const server = new ServerProcess('sh', args);
  return server.asBenchServer(async () => {
    await server.waitForGreeting(port);
    const written = Object.entries(settings).map(([key, value]) => `${key}=${value}`).join(' ');
    return { name: 'vsftpd', port, version: await vsftpdVersion(), command: `sh -c 'exec vsftpd "$1" 0<&1' sh vsftpd.conf  # ${written}` };
  });
}

/** `vsftpd -v` writes "vsftpd: version 3.0.3" to descriptor 0, like its start-up errors. */
async function vsftpdVersion(): Promise<string> {
  const out = await mustRun('sh', ['-c', 'vsftpd -v 0>&1']).catch(() => '');
  return `vsftpd ${/version (\S+)/.exec(out)?.[1] ?? '(version unknown)'}`;
}
