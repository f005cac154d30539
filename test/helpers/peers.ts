/**
 * Other FTP servers for the tests of our client: pyftpdlib and vsftpd, each
 * started on loopback for one suite and stopped by pid. A peer that is not
 * installed, or cannot run here, comes back as a reason to skip, so a test
 * says plainly what it did not check instead of failing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { eventually } from './eventually.js';
import { removeDir, tempDir } from './files.js';
import { freePort } from './ports.js';
import { hasProgram, run } from './processes.js';
import { vsftpdConfigText } from './vsftpdConfig.js';

export interface Peer {
  readonly host: string;
  readonly port: number;
  /** The account to log in with (`--user`, the password in SOCKFTP_PASSWORD); null for anonymous. */
  readonly login: { readonly user: string; readonly password: string } | null;
  /** What PWD answers right after login. */
  readonly home: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  /** Stops the server and the processes it forked, by pid, and undoes its set-up. */
  stop(): Promise<void>;
}

/** A running peer, or why it cannot run here (for `t.skip(reason)`). */
export type PeerStart = { readonly peer: Peer; readonly reason: null } | { readonly peer: null; readonly reason: string };

export interface PeerOptions {
  /** Passive data ports, inclusive. */
  readonly passivePorts?: readonly [number, number];
  /** How long the server may take to accept connections. */
  readonly startTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * pyftpdlib's stand-alone server (`python3 -m pyftpdlib`): anonymous login
 * with write access to `root`, on a port it picks and prints.
 */
export async function startPyftpdlib(root: string, options: PeerOptions = {}): Promise<PeerStart> {
  const installed = (await hasProgram(PYTHON)) && (await run(PYTHON, ['-c', 'import pyftpdlib'], { timeoutMs: 20_000 })).code === 0;
  if (!installed) return { peer: null, reason: 'python3-pyftpdlib is not installed (.ci/run installs it)' };
  const args = ['-m', 'pyftpdlib', '-i', HOST, '-p', '0', '-w', '-d', root];
  if (options.passivePorts) args.push('-r', options.passivePorts.join('-'));
  const server = new ServerProcess(PYTHON, args);
  try {
    const started = await server.waitForOutput(/starting FTP server on [^\s]+:(\d+)/, options.startTimeoutMs ?? START_TIMEOUT_MS);
    const port = Number(started[1]);
    return { peer: { host: HOST, port, login: null, home: '/', output: () => server.output, stop: () => server.stop() }, reason: null };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/**
 * vsftpd in the foreground with a configuration of its own, serving `root`
 * as the home directory of a local user made for this run (removed again by
 * stop()). `root` becomes that user's, and its parent directories must be
 * searchable by others, as os.tmpdir() is.
 */
export async function startVsftpd(root: string, options: PeerOptions = {}): Promise<PeerStart> {
  const reason = await vsftpdUnavailable();
  if (reason) return { peer: null, reason };
  // useradd wants lower-case letters, digits and '-'; PAM (pam_shells) wants a shell from /etc/shells.
  const login = { user: `sockftp-${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('base64url') };
  const confDir = tempDir('sockftp-vsftpd-');
  let userAdded = false;
  let server: ServerProcess | null = null;
  const stop = async () => {
    await server?.stop();
    if (userAdded) await mustRun('userdel', [login.user]);
    removeDir(confDir);
  };
  try {
    await mustRun('useradd', ['--home-dir', root, '--no-create-home', '--shell', loginShell()!, login.user]);
    userAdded = true;
    await mustRun('chpasswd', [], `${login.user}:${login.password}\n`);
    await mustRun('chown', ['-R', `${login.user}:`, root]);
    // vsftpd confines its pre-login process here (chroot, then nopriv_user): an empty directory
    // that user can reach but not write to.
    const empty = path.join(confDir, 'empty');
    fs.mkdirSync(empty);
    fs.chmodSync(confDir, 0o755);
    const port = await freePort();
    const [pasvLow, pasvHigh] = options.passivePorts ?? passiveBlock();
    const conf = path.join(confDir, 'vsftpd.conf');
    fs.writeFileSync(conf, vsftpdConfigText({ port, passivePorts: [pasvLow, pasvHigh], emptyDir: empty }));
    // vsftpd writes its start-up errors ("500 OOPS: ...") to descriptor 0, the control connection
    // of inetd mode; pointing 0 at standard output makes them part of the output we keep.
    server = new ServerProcess('sh', ['-c', 'exec vsftpd "$1" 0<&1', 'sh', conf]);
    const started = server;
    await eventually(
      async () => {
        if (started.ended) throw new Error(`vsftpd exited before accepting connections:\n${started.output}`);
        const greeting = (await greetingAt(port)) ?? '';
        // Some set-up errors (a missing secure_chroot_dir...) only show in the greeting of each connection.
        if (greeting.startsWith('500 OOPS')) throw new Error(`vsftpd refuses connections: ${greeting}`);
        return /^220 .*vsFTPd/.test(greeting);
      },
      { what: `vsftpd to greet on ${HOST}:${port}`, timeoutMs: options.startTimeoutMs ?? START_TIMEOUT_MS, detail: () => started.output },
    );
    return { peer: { host: HOST, port, login, home: fs.realpathSync(root), output: () => started.output, stop }, reason: null };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function vsftpdUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'vsftpd logs in a local user that the test creates, which needs root (CI runs as root)';
  if (!(await hasProgram('vsftpd'))) return 'vsftpd is not installed (.ci/run installs it)';
  for (const tool of ['useradd', 'chpasswd', 'userdel', 'chown']) {
    if (!(await hasProgram(tool))) return `${tool} is missing, so no local user can be made for vsftpd`;
  }
  if (!loginShell()) return 'no shell is listed in /etc/shells, so PAM would refuse the local user';
  return null;
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

async function mustRun(command: string, args: readonly string[], input?: string): Promise<void> {
  const result = await run(command, args, { input, timeoutMs: 20_000 });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code ?? result.signal}): ${result.stderr.trim()}`);
}

/** 100 passive ports below 32768, away from Linux's ephemeral range, where client ports come from. */
function passiveBlock(): [number, number] {
  const low = randomInt(20_000, 32_000 - 100);
  return [low, low + 99];
}

/** The first line a server on `port` sends, or null when nothing (or nothing FTP) answers. */
function greetingAt(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let text = '';
    const done = (line: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => done(null), 2_000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      const end = text.indexOf('\r\n');
      if (end !== -1) done(text.slice(0, end));
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
  });
}

/** A peer's process: its output kept, and stopped together with everything it forked. */
class ServerProcess {
  private text = '';
  private closed = false;
  private readonly child: ChildProcess;

  constructor(command: string, args: readonly string[]) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.setEncoding('utf8').on('data', (d: string) => (this.text += d));
    this.child.on('error', (err) => (this.text += `\n${err.message}`));
    this.child.on('close', () => (this.closed = true));
  }

  get output(): string {
    return this.text;
  }

  /** Whether the process has exited and its output ended. */
  get ended(): boolean {
    return this.closed;
  }

  /** Resolves with the first match in the output; rejects if the process ends first or at the deadline. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(this.text);
        if (m) finish(() => resolve(m));
      };
      const onClose = () => finish(() => reject(new Error(`the server exited before printing ${pattern}:\n${this.text}`)));
      const timer = setTimeout(() => finish(() => reject(new Error(`the server did not print ${pattern} in ${timeoutMs} ms:\n${this.text}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        this.child.stderr!.off('data', check);
        this.child.off('close', onClose);
        settle();
      };
      this.child.stdout!.on('data', check);
      this.child.stderr!.on('data', check);
      this.child.once('close', onClose);
      check();
    });
  }

  /**
   * SIGTERM to the process and everything below it, then SIGKILL to what is
   * left at the deadline. vsftpd's sessions start sessions of their own
   * (setsid), so a signal to the process group would miss them; they are
   * found by parent pid, and waited for, because userdel refuses a user who
   * still runs a process.
   */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    const pids = [pid, ...descendants(pid)];
    const signalled = (signal: NodeJS.Signals) => {
      for (const p of pids) if (!gone(p)) sendSignal(p, signal);
      return eventually(() => pids.every(gone), {
        what: `processes ${pids.join(', ')} to exit after ${signal}`,
        timeoutMs: STOP_TIMEOUT_MS,
        detail: () => this.text,
      });
    };
    // What SIGTERM leaves after the deadline gets SIGKILL; what survives that is an error.
    await signalled('SIGTERM').catch(() => signalled('SIGKILL'));
    await exited;
  }
}

/** The state letter and parent of a process, from /proc; null when there is no such process. */
function processStat(pid: number): { state: string; ppid: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
  const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: state, ppid: Number(ppid) };
}

/** Every process below `root` (children, grandchildren...), through the parent pids in /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = processStat(Number(name));
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const next = queue.flatMap((pid) => children.get(pid) ?? []);
    found.push(...next);
    queue = next;
  }
  return found;
}

/** Exited: no longer in /proc, or a zombie waiting for its parent. */
function gone(pid: number): boolean {
  const stat = processStat(pid);
  return stat === null || stat.state === 'Z';
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // It exited in the meantime.
  }
}
