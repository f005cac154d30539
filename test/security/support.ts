/**
 * What the security tests share: a served root with a sentinel directory
 * beside it that no client may read, create or change, a normal client that
 * must still be served after every attack, control connections from other
 * loopback addresses, TLS upgrades of raw control connections, certificates,
 * accounts, and a local process that swaps symlinks in while the server works.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Worker } from 'node:worker_threads';
import { after, before } from 'node:test';
import { ControlConnection, readAll } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run, type RunResult } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** Only the sentinel's files hold this text: a reply or a transfer that carries it leaked a file outside the root. */
export const SECRET = 'SENTINEL-SECRET-must-never-leave-the-server';
/** An odd size, so a listing that shows it gave away the target of a link out of the root. */
export const SECRET_SIZE = 7919;
/** What the normal client downloads after every attack. */
export const HELLO = 'hello, normal client\n';

export interface Sandbox {
  /** Holds the root and, beside it, the sentinel. */
  readonly base: string;
  /** The served directory. */
  readonly root: string;
  /** Where accounts' homes outside the root go (empty at first); served too, so not part of the snapshot. */
  readonly homes: string;
  /** The server's own files (users file, certificates), which it reads and SIGHUP re-reads: not part of the snapshot. */
  readonly config: string;
  /**
   * A directory beside the root whose name starts like the root's, so that
   * a containment check comparing prefixes without a separator lets it in.
   */
  readonly sentinel: string;
}

/**
 * base/root           hello.txt, sub/inner.txt, file-out -> ../root-sentinel/secret.txt, dir-out -> ../root-sentinel
 * base/homes, base/config  (empty)
 * base/root-sentinel  secret.txt (SECRET, SECRET_SIZE bytes), nested/deeper.txt
 */
export function createSandbox(): Sandbox {
  const base = tempDir('sockftp-security-');
  const root = path.join(base, 'root');
  const homes = path.join(base, 'homes');
  const config = path.join(base, 'config');
  const sentinel = path.join(base, 'root-sentinel');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(homes);
  fs.mkdirSync(config);
  fs.writeFileSync(path.join(root, 'hello.txt'), HELLO);
  fs.writeFileSync(path.join(root, 'sub', 'inner.txt'), 'inner');
  fs.symlinkSync('../root-sentinel/secret.txt', path.join(root, 'file-out'));
  fs.symlinkSync('../root-sentinel', path.join(root, 'dir-out'));
  fs.mkdirSync(path.join(sentinel, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(sentinel, 'secret.txt'), SECRET.padEnd(SECRET_SIZE, '.'));
  fs.writeFileSync(path.join(sentinel, 'nested', 'deeper.txt'), SECRET);
  const sandbox = { base, root, homes, config, sentinel };
  ageAccessTimes(sandbox);
  return sandbox;
}

/**
 * Every path under base except the served directories (the root, the homes),
 * the server's configuration and what is inside them, base itself included,
 * each with its lstat taken before the walk listed it (listing a directory
 * moves its access time).
 */
function besideRoot(sandbox: Sandbox): Array<[string, fs.Stats]> {
  const found: Array<[string, fs.Stats]> = [];
  const walk = (dir: string) => {
    found.push([dir, fs.lstatSync(dir)]);
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (full === sandbox.root || full === sandbox.homes || full === sandbox.config) continue;
      const stats = fs.lstatSync(full);
      if (stats.isDirectory()) walk(full);
      else found.push([full, stats]);
    }
  };
  walk(sandbox.base);
  return found;
}

/** Gives everything beside the root an access time of 1970; a read then moves it (relatime updates one older than a day). */
function ageAccessTimes(sandbox: Sandbox): void {
  for (const [entry, stats] of besideRoot(sandbox)) fs.lutimesSync(entry, 0, stats.mtime);
}

/**
 * One line per path beside the root: type, mode, size, modification and
 * access times, and the SHA-256 of a file or the target of a link. Equal
 * snapshots mean nothing there was created, removed, changed, chmodded,
 * touched or read. The snapshot reads files with O_NOATIME and ages the
 * access times of the directories it listed again, so taking it reads nothing.
 */
export function snapshotBesideRoot(sandbox: Sandbox): string[] {
  const entries = besideRoot(sandbox);
  const lines = entries.map(([entry, stats]) => {
    let content = '';
    if (stats.isFile()) content = sha256NoAtime(entry);
    else if (stats.isSymbolicLink()) content = `-> ${fs.readlinkSync(entry)}`;
    const relative = path.relative(sandbox.base, entry) || '.';
    // Whole milliseconds: putting a directory's times back goes through a Date, which rounds to them.
    return `${relative} ${stats.mode.toString(8)} ${stats.size} mtime=${Math.round(stats.mtimeMs)} atime=${Math.round(stats.atimeMs)} ${content}`;
  });
  for (const [entry, stats] of entries) if (stats.isDirectory()) fs.utimesSync(entry, 0, stats.mtime);
  return lines;
}

function sha256NoAtime(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOATIME);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(64 * 1024);
    for (let n; (n = fs.readSync(fd, buffer)) > 0;) hash.update(buffer.subarray(0, n));
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

/** Who the normal client logs in as, from which loopback address (default 127.0.0.1), and whether over TLS. */
export interface NormalClient {
  readonly user?: string;
  readonly password?: string;
  readonly from?: string;
  readonly tls?: boolean;
}

/** curl, a client that did nothing wrong, downloads hello.txt; curl binds its data connections to --interface too. */
export async function assertServesNormally(server: RunningServer, client: NormalClient = {}): Promise<void> {
  const base = ['-s', '-S', '--max-time', '10', '--user', `${client.user ?? 'anonymous'}:${client.password ?? 'guest@'}`];
  if (client.from) base.push('--interface', client.from);
  if (client.tls) base.push('--ssl-reqd', '--insecure');
  const url = `ftp://${server.host}:${server.port}`;
  const download = await run('curl', [...base, `${url}/hello.txt`], { timeoutMs: 15_000 });
  assert.equal(download.stderr, '', `a normal client could not download: ${download.stderr}`);
  assert.equal(download.stdout, HELLO);
}

export interface HostileFixture {
  readonly server: RunningServer;
  readonly sandbox: Sandbox;
  /**
   * After an attack: nothing beside the root was read, created or changed,
   * and a normal client is still served.
   */
  assertUnharmed(client?: NormalClient): Promise<void>;
}

export interface HostileOptions {
  /** The server's flags; a function when they name files made in the sandbox (users file, certificates). */
  readonly args?: readonly string[] | ((sandbox: Sandbox) => readonly string[] | Promise<readonly string[]>);
  /** How assertUnharmed's normal client logs in, unless a test says otherwise. */
  readonly normalClient?: NormalClient;
}

/** Registers before/after hooks: a sandbox, the server on its root, and the sentinel's snapshot before any test. */
export function useHostileServer(options: HostileOptions = {}): HostileFixture {
  let server: RunningServer | undefined;
  let sandbox: Sandbox | undefined;
  let baseline: string[] = [];
  before(async () => {
    sandbox = createSandbox();
    const args = typeof options.args === 'function' ? await options.args(sandbox) : (options.args ?? []);
    server = await startServer(sandbox.root, args);
    baseline = snapshotBesideRoot(sandbox);
  });
  after(async () => {
    await server?.stop();
    if (sandbox) removeDir(sandbox.base);
  });
  return {
    get server() {
      return server!;
    },
    get sandbox() {
      return sandbox!;
    },
    async assertUnharmed(client = options.normalClient) {
      const expected = baseline;
      // Each test answers for its own harm only: after a failure, the next test starts from what is there now.
      baseline = snapshotBesideRoot(sandbox!);
      assert.deepEqual(baseline, expected, 'something beside the root was read, created or changed');
      await assertServesNormally(server!, client);
    },
  };
}

/**
 * Starts watching the server's output for `text`: the returned function
 * resolves once the server has printed it `times` more times than it had
 * when watching began (its output comes through a pipe that may lag).
 */
export function watchOutput(server: RunningServer, text: string): (times?: number) => Promise<void> {
  const seen = server.output().split(text).length - 1;
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (times = 1) => server.waitForOutput(new RegExp(`(?:${escaped}[\\s\\S]*?){${seen + times}}`));
}

/** Fails if a reply or received bytes carry the sentinel's text. */
export function assertNoSecret(...received: Array<string | Buffer>): void {
  for (const item of received) assert.ok(!item.toString('latin1').includes(SECRET), 'a file outside the root reached the client');
}

/** A control connection from `localAddress`: ControlConnection.open() cannot bind one, but its constructor takes any connected socket. */
export async function openFrom(localAddress: string, port: number, host = '127.0.0.1'): Promise<{ conn: ControlConnection; code: number }> {
  const socket = net.connect({ port, host, localAddress });
  await once(socket, 'connect');
  const conn = wrap(socket);
  return { conn, code: (await conn.read()).code };
}

/** Opens a connection from `localAddress` and logs in; fails unless each step gets its expected code. */
export async function loginFrom(localAddress: string, port: number, user = 'anonymous', password = 'guest@'): Promise<ControlConnection> {
  const { conn, code } = await openFrom(localAddress, port);
  assert.equal(code, 220);
  await conn.expect(`USER ${user}`, 331);
  await conn.expect(`PASS ${password}`, 230);
  return conn;
}

function wrap(socket: net.Socket): ControlConnection {
  return Reflect.construct(ControlConnection, [socket]) as ControlConnection;
}

/** A plaintext control connection that has had its greeting, not logged in. */
export async function greeted(port: number): Promise<ControlConnection> {
  return (await ControlConnection.open(port)).conn;
}

/**
 * One login on a connection of its own from `from`, closed afterwards: the
 * greeting's code if the server refused the connection, else PASS's reply code.
 */
export async function loginAttempt(from: string, port: number, user: string, password: string): Promise<number> {
  const { conn, code } = await openFrom(from, port);
  return inSession(conn, async () => {
    if (code !== 220) return code;
    await conn.expect(`USER ${user}`, 331);
    return (await conn.send(`PASS ${password}`)).code;
  });
}

/** Runs `act` on the connection once it is open, and closes the connection whatever happens. */
export async function inSession<C extends { close(): void }, T>(connection: C | Promise<C>, act: (conn: C) => Promise<T>): Promise<T> {
  const conn = await connection;
  try {
    return await act(conn);
  } finally {
    conn.close();
  }
}

/** Everything a data socket receives until it closes, within 10 s. */
export function receiveAll(socket: net.Socket): Promise<Buffer> {
  return within(10_000, 'the data connection closing', readAll(socket));
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A control connection that has become TLS, and the TLS session the server last issued on it. */
export interface TlsControl {
  readonly conn: ControlConnection;
  readonly socket: tls.TLSSocket;
  /** The latest session ticket, to resume on a data connection; null before one arrived. */
  session(): Buffer | null;
  close(): void;
}

/** After a 234 reply on `conn`, starts TLS on its socket and continues on a ControlConnection over TLS. */
export async function startTls(conn: ControlConnection): Promise<TlsControl> {
  // From here on the bytes on this socket are TLS records, which the plaintext parser must not see.
  conn.socket.removeAllListeners('data');
  const socket = tls.connect({ socket: conn.socket, rejectUnauthorized: false, servername: 'localhost' });
  let latest: Buffer | null = null;
  socket.on('session', (session: Buffer) => (latest = session));
  await within(10_000, 'the TLS handshake of the control connection', once(socket, 'secureConnect'));
  const secure = wrap(socket);
  return { conn: secure, socket, session: () => latest, close: () => secure.close() };
}

/** Opens a plain control connection and upgrades it with AUTH TLS, without logging in. */
export async function openExplicitTls(port: number): Promise<TlsControl> {
  const { conn } = await ControlConnection.open(port);
  await conn.expect('AUTH TLS', 234);
  return startTls(conn);
}

/**
 * EPSV on a TLS control connection, then a TLS data connection offering
 * `session` for resumption (null: a new session). Resolves with the socket
 * before the server has judged it; the server's verdict comes as a reply.
 */
export async function passiveTls(control: TlsControl, session: Buffer | null): Promise<tls.TLSSocket> {
  const reply = await control.conn.expect('EPSV', 229);
  const port = Number(/\|\|\|(\d+)\|/.exec(reply.text)![1]);
  const raw = net.connect({ port, host: '127.0.0.1' });
  await once(raw, 'connect');
  const data = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'localhost', ...(session ? { session } : {}) });
  data.on('error', () => undefined);
  return data;
}

/**
 * The server's TLS flags, for a self-signed certificate made in `dir` with openssl for this test run. It
 * names localhost and the loopback addresses in its SAN and is valid for 90 days, so that a scanner
 * (testssl.test.ts) finds nothing wrong with it but what is wrong with any self-signed certificate.
 */
export function tlsArgs(dir: string): string[] {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '90', ...subject], {
    stdio: 'ignore',
    timeout: 30_000,
  });
  return ['--tls-cert', cert, '--tls-key', key];
}

/** Runs the sockftp command line with a deadline. */
export function sockftp(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { timeoutMs: 30_000, env });
}

export interface UserSpec {
  readonly password: string;
  readonly home?: string;
  readonly perms?: 'r' | 'rw';
}

/** Adds (or updates) an account the way an administrator does: `sockftp user add`, the password in SOCKFTP_PASSWORD. */
export async function addUser(usersFile: string, name: string, spec: UserSpec): Promise<void> {
  const args = ['user', 'add', name, '--users', usersFile, '--perms', spec.perms ?? 'rw'];
  if (spec.home) args.push('--home', spec.home);
  const result = await sockftp(args, { ...process.env, SOCKFTP_PASSWORD: spec.password });
  assert.equal(result.code, 0, `sockftp user add ${name} failed: ${result.stderr}`);
}

/**
 * Swaps `name` in `dir` between a real entry and a symlink, as fast as it can,
 * in a thread of its own (a local user racing the server's checks). Every
 * rename is atomic; between them the name briefly does not exist.
 */
export class SymlinkSwapper {
  private readonly worker: Worker;

  constructor(dir: string, name: string, realEntry: string, symlinkEntry: string) {
    const source = `
      const fs = require('node:fs');
      const path = require('node:path');
      const { workerData: w } = require('node:worker_threads');
      const at = (n) => path.join(w.dir, n);
      const steps = [[w.realEntry, w.name], [w.name, w.realEntry], [w.symlinkEntry, w.name], [w.name, w.symlinkEntry]];
      for (;;) for (const [from, to] of steps) try { fs.renameSync(at(from), at(to)); } catch {}
    `;
    this.worker = new Worker(source, { eval: true, workerData: { dir, name, realEntry, symlinkEntry } });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
