/**
 * ProFTPD, Debian's proftpd-core unpacked into bench/.peers (debianPeer.ts),
 * in the foreground (-n) with a proftpd.conf of its own, logging in the
 * benchmark's local user against /etc/passwd and /etc/shadow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { debianPeer } from './debianPeer.js';
import { mustRun } from './localUser.js';
import { freePort } from './ports.js';
import { ServerProcess } from './ServerProcess.js';

/** TCPBacklog's maximum. */
const TCP_BACKLOG = 255;

export async function startProftpd(setup: ServerSetup): Promise<BenchServer> {
  const { program, debianVersion } = await debianPeer('proftpd-core', 'usr/sbin/proftpd');
  const port = await freePort();
  const settings = proftpdConfigText(setup, port);
  const conf = path.join(setup.confDir, 'proftpd.conf');
  fs.writeFileSync(conf, settings);
  // -n: no daemon, the benchmark's child; it forks one process per session. With -n it logs to stderr.
  const args = ['-n', '-c', conf];
  const server = new ServerProcess(program, args);
  return server.asBenchServer(async () => {
    await server.waitForGreeting(port);
    const banner = (await mustRun(program, ['-v'])).trim();
    const version = `${banner.replace(/^ProFTPD Version/, 'ProFTPD')} (Debian ${debianVersion})`;
    const written = settings.trim().split('\n').join('; ');
    return { name: 'proftpd', port, version, command: `${path.relative(REPO_ROOT, program)} -n -c proftpd.conf  # ${written}` };
  });
}

/**
 * Everything that would otherwise go to /run, /var/log or /var/run goes to
 * the private directory, so that nothing of the run is left behind.
 */
function proftpdConfigText(setup: ServerSetup, port: number): string {
  const file = (name: string) => path.join(setup.confDir, name);
  const [pasvLow, pasvHigh] = setup.passivePorts;
  const max = String(setup.maxClients);
  return [
    'ServerType standalone',
    'ServerName "sockftp bench"',
    'DefaultAddress 127.0.0.1',
    // Listen on DefaultAddress only, not on every address.
    'SocketBindTight on',
    'UseIPv6 off',
    `Port ${port}`,
    'User nobody',
    'Group nogroup',
    `PidFile ${file('proftpd.pid')}`,
    `ScoreboardFile ${file('proftpd.scoreboard')}`,
    `DelayTable ${file('proftpd.delay')}`,
    // As Debian's proftpd.conf has it; the socket is made all the same, so it goes here too.
    'ControlsEngine off',
    `ControlsSocket ${file('proftpd.sock')}`,
    'TransferLog none',
    'WtmpLog off',
    'UseReverseDNS off',
    // mod_ident is a loadable module that this configuration does not load: no ident lookups either way.
    '<IfModule mod_ident.c>',
    '  IdentLookups off',
    '</IfModule>',
    // /etc/passwd and /etc/shadow, as PAM would; PAM would want a service file in /etc/pam.d.
    'AuthPAM off',
    'AuthOrder mod_auth_unix.c',
    'RequireValidShell off',
    'UseFtpUsers off',
    `PassivePorts ${pasvLow} ${pasvHigh}`,
    `MaxInstances ${max}`,
    `MaxClients ${max}`,
    `MaxClientsPerHost ${max}`,
    `MaxConnectionsPerHost ${max}`,
    // Its listen backlog is 128 unless told otherwise, fewer than the 200 clients that connect at
    // once; 255 is the most it takes. An operator's setting, as pyftpdlib's backlog is.
    `TCPBacklog ${TCP_BACKLOG}`,
    'AllowOverwrite on',
    'Umask 022',
    // Its default, written out: downloads go by sendfile(2).
    'UseSendfile on',
    '',
  ].join('\n');
}
