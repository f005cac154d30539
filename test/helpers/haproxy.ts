/**
 * A real HAProxy (Debian's 2.6) for the fleet tests: TCP mode on loopback,
 * the configuration written for the test, run in the foreground and stopped
 * by pid. Its runtime API (a stats socket in the run directory) tells when a
 * backend server is UP or DOWN, so a test waits for HAProxy's own view of
 * its health checks instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { eventually } from './eventually.js';
import { removeDir, tempDir } from './files.js';
import { hasProgram } from './processes.js';

export interface HaproxyBackendServer {
  readonly name: string;
  readonly host: string;
  /** Absent: the port the client connected to (a listener on a range of ports). */
  readonly port?: number;
  /** Where HAProxy's health check asks `GET /readyz` (the instance's admin listener); absent: no check. */
  readonly checkPort?: number;
}

export interface HaproxyListener {
  /** Frontend and backend name. */
  readonly name: string;
  /** One port, or a range of them (`ports`, inclusive), as passive data ports are. */
  readonly bind: { readonly host: string; readonly port: number } | { readonly host: string; readonly ports: readonly [number, number] };
  readonly servers: readonly HaproxyBackendServer[];
  /** Send a PROXY v2 header on each connection to a server (`send-proxy-v2`). */
  readonly sendProxyV2?: boolean;
  /** The address HAProxy connects to the servers from (`source`), so servers can tell it from clients. */
  readonly source?: string;
}

export interface Haproxy {
  readonly pid: number;
  /** The configuration file's text, for failure messages. */
  readonly config: string;
  output(): string;
  /** Resolves once HAProxy's health checks have `server` of `backend` in `state`; rejects at the deadline. */
  waitForState(backend: string, server: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  /** Runs one command of HAProxy's runtime API and returns its answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

export type HaproxyStart = { readonly haproxy: Haproxy; readonly reason: null } | { readonly haproxy: null; readonly reason: string };

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** Health checks this often, and one failure or success changes a server's state: failover tests stay short. */
const CHECK_INTER = '100ms';

/** The text of a TCP-mode configuration for `listeners`, with a stats socket at `socket`. */
export function haproxyConfig(listeners: readonly HaproxyListener[], socket: string): string {
  const lines = [
    'global',
    `  stats socket ${socket} mode 600 level admin`,
    '  maxconn 4000',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    // FTP control connections sit idle between commands and data connections during long transfers.
    '  timeout client 10m',
    '  timeout server 10m',
    '  timeout check 2s',
  ];
  for (const l of listeners) {
    const bind = 'port' in l.bind ? String(l.bind.port) : l.bind.ports.join('-');
    lines.push(`frontend ${l.name}`, `  bind ${l.bind.host}:${bind}`, `  default_backend ${l.name}`);
    lines.push(`backend ${l.name}`, '  balance roundrobin', '  option httpchk GET /readyz', '  http-check expect status 200');
    // A server that refuses the connection (killed before its check noticed) costs the client nothing: another is tried.
    lines.push('  retries 3', '  option redispatch');
    if (l.source) lines.push(`  source ${l.source}`);
    for (const s of l.servers) {
      const proxy = l.sendProxyV2 ? ' send-proxy-v2' : '';
      const address = s.port === undefined ? s.host : `${s.host}:${s.port}`;
      const check = s.checkPort === undefined ? '' : ` check port ${s.checkPort} inter ${CHECK_INTER} fall 1 rise 1`;
      lines.push(`  server ${s.name} ${address}${proxy}${check}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function startHaproxy(listeners: readonly HaproxyListener[]): Promise<HaproxyStart> {
  if (!(await hasProgram('haproxy'))) {
    const reason = 'haproxy is not installed (.ci/run installs it)';
    if (process.env.CI) throw new Error(reason);
    return { haproxy: null, reason };
  }
  const dir = tempDir('sockftp-haproxy-');
  const socket = path.join(dir, 'admin.sock');
  const config = haproxyConfig(listeners, socket);
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, config);
  // -db: stay in the foreground, not a daemon, so the pid is HAProxy's own and it dies with a SIGKILL.
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    removeDir(dir);
  };
  const command = (line: string) => runtimeCommand(socket, line);
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited at start:\n${output}\n${config}`);
        return (await command('show info').catch(() => '')).includes('Pid:');
      },
      { what: 'haproxy to answer on its runtime API', timeoutMs: START_TIMEOUT_MS, detail: () => output },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    reason: null,
    haproxy: {
      pid: child.pid!,
      config,
      output: () => output,
      command,
      waitForState: (backend, server, state, timeoutMs = 15_000) =>
        eventually(async () => (await serverState(command, backend, server)) === state, {
          what: `haproxy to see ${backend}/${server} ${state}`,
          timeoutMs,
          detail: () => output,
        }),
      stop,
    },
  };
}

/** The status column of `show stat` for one server: UP, DOWN, MAINT... ("UP 1/2" while changing counts as not yet). */
async function serverState(command: (line: string) => Promise<string>, backend: string, server: string): Promise<string | null> {
  const csv = await command('show stat');
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const columns = header.split(',');
  const at = (name: string) => columns.indexOf(name);
  for (const row of rows) {
    const cells = row.split(',');
    if (cells[at('pxname')] === backend && cells[at('svname')] === server) return cells[at('status')] ?? null;
  }
  return null;
}

function runtimeCommand(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let answer = '';
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => (answer += d));
    conn.on('end', () => resolve(answer));
    conn.on('error', reject);
    conn.setTimeout(5_000, () => conn.destroy(new Error(`haproxy runtime API did not answer "${line}"`)));
    conn.end(`${line}\n`);
  });
}
