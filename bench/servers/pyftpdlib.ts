/** pyftpdlib (Debian's python3-pyftpdlib) through bench/servers/pyftpdlib_server.py. */
import * as path from 'node:path';
import { BENCH_SOURCES, REPO_ROOT } from '../paths.js';
import type { BenchServer, ServerSetup } from './BenchServer.js';
import { ServerProcess } from './ServerProcess.js';

/** Debian's interpreter, where python3-pyftpdlib is installed (a pyenv python3 on PATH lacks it). */
const PYTHON = '/usr/bin/python3';
/** The same listen backlog as sockftp's (and Node's default): pyftpdlib's own 100 is an operator's setting. */
const BACKLOG = 511;

export async function startPyftpdlib(setup: ServerSetup): Promise<BenchServer> {
  const script = path.join(BENCH_SOURCES, 'servers', 'pyftpdlib_server.py');
  const args = [script, '127.0.0.1', setup.login.user, setup.root, ...setup.passivePorts.map(String), String(setup.maxClients), String(BACKLOG)];
  const server = new ServerProcess(PYTHON, args, { env: { ...process.env, BENCH_FTP_PASSWORD: setup.login.password } });
  return server.asBenchServer(async () => {
    const started = await server.waitForOutput(/^(pyftpdlib \S+ on Python \S+) listening on (\d+)$/m);
    const port = Number(started[2]);
    await server.waitForGreeting(port);
    return { name: 'pyftpdlib', port, version: started[1], command: [PYTHON, path.relative(REPO_ROOT, script), ...args.slice(1)].join(' ') };
  });
}
