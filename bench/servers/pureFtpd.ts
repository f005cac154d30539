/**
 * pure-ftpd, Debian's build unpacked into bench/.peers (debianPeer.ts), in the
 * foreground with its settings on the command line, logging in the
 * benchmark's local user against /etc/passwd and /etc/shadow.
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { debianPeer } from './debianPeer.js';
import { mustRun } from './localUser.js';
import { freePort } from './ports.js';
import { ServerProcess } from './ServerProcess.js';

/**
 * Its default caps a listing at 10,000 files (`-L 10000:5`), exactly the
 * listing test's size: raised so that a cut listing cannot pass for a whole one.
 */
const LIST_LIMIT = '20000:5';

export async function startPureFtpd(setup: ServerSetup): Promise<BenchServer> {
  const { program, debianVersion } = await debianPeer('pure-ftpd', 'usr/sbin/pure-ftpd');
  const port = await freePort();
  const [pasvLow, pasvHigh] = setup.passivePorts;
  const args = [
    ...['--bind', `127.0.0.1,${port}`],
    ...['--login', 'unix'], // crypt(3) against /etc/shadow, as PAM would, without a PAM service file
    '--noanonymous',
    '--dontresolve', // no reverse DNS per session
    ...['--maxclientsnumber', String(setup.maxClients)],
    ...['--maxclientsperip', String(setup.maxClients)],
    ...['--passiveportrange', `${pasvLow}:${pasvHigh}`],
    ...['--limitrecursion', LIST_LIMIT],
    ...['--syslogfacility', 'none'],
  ];
  // Without --daemonize it stays in the foreground, the benchmark's child; each session forks twice (privsep).
  const server = new ServerProcess(program, args);
  return server.asBenchServer(async () => {
    await server.waitForGreeting(port);
    const banner = (await mustRun(program, ['--help'])).split('\n')[0].trim();
    const version = `${banner.replace(/^pure-ftpd v/, 'pure-ftpd ')} (Debian ${debianVersion})`;
    return { name: 'pure-ftpd', port, version, command: [path.relative(REPO_ROOT, program), ...args].join(' ') };
  });
}
