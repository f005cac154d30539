/**
 * A real S3 object store for the tests of the S3 backend: Ceph RGW from
 * Debian 12's packages (radosgw 16), on one monitor and one OSD that keeps
 * its objects in memory (memstore), without cephx and without a mgr. Every
 * start gets its own short directory under /tmp (admin sockets break past 107
 * bytes) and its own ports, all on 127.0.0.1, so two test files may each
 * start one at once. stop() ends exactly the pids it started and removes the
 * directory. A missing package is a reason to skip, except in CI, where the
 * packages are installed and a skipped S3 suite would hide a failure.
 */
import { CreateBucketCommand, ListBucketsCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { eventually } from './eventually.js';
import { removeDir, tempDir } from './files.js';
import { freePort } from './ports.js';
import { hasProgram, run } from './processes.js';

export interface RgwOptions {
  /** What the OSD may hold, in bytes; memstore keeps every byte in memory until RGW's gc frees it. 4 GiB unless told. */
  readonly memstoreBytes?: number;
  /** How long the whole start may take, up to the first answered S3 request. 60 s unless told. */
  readonly startTimeoutMs?: number;
}

/** Where the gateway is and how to sign for it: what an S3 client needs. */
export interface RgwAccess {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Any region signs for RGW's default zone group; CreateBucket must send no LocationConstraint. */
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * The environment a child process needs to reach the gateway, to be spread
 * over process.env. The undefined entries remove what would otherwise get in
 * the way: the SDK skips AWS_ACCESS_KEY_ID when AWS_PROFILE is set, an
 * ambient session token would be signed with our keys, and no shared config
 * or credentials file is read.
 */
export interface RgwEnv {
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly AWS_REGION: string;
  readonly AWS_CONFIG_FILE: string;
  readonly AWS_SHARED_CREDENTIALS_FILE: string;
  readonly AWS_EC2_METADATA_DISABLED: string;
  readonly AWS_PROFILE: undefined;
  readonly AWS_DEFAULT_PROFILE: undefined;
  readonly AWS_SESSION_TOKEN: undefined;
  readonly AWS_CA_BUNDLE: undefined;
  readonly AWS_ENDPOINT_URL: undefined;
  readonly AWS_ENDPOINT_URL_S3: undefined;
}

export interface Rgw extends RgwAccess {
  /** A client for this gateway (rgwClient's settings), destroyed by stop(). */
  readonly client: S3Client;
  /** The run directory: configuration, logs, admin sockets, the monitor's store; removed by stop(). */
  readonly dir: string;
  /** Makes a bucket with a new unique name (or `name`) and returns the name. */
  createBucket(name?: string): Promise<string>;
  env(): RgwEnv;
  /** The tail of each daemon's log, for failure messages; still there after stop(). */
  output(): string;
  /** The pids of the daemons running now: monitor, OSD, and the gateway while it runs. */
  pids(): number[];
  /**
   * Stops only radosgw (SIGTERM, or SIGKILL for a crash); the cluster keeps
   * every object. Requests then fail with a connection error.
   */
  stopGateway(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts radosgw again on the same port and waits until it answers. */
  startGateway(): Promise<void>;
  /** Stops every daemon it started (SIGTERM, then SIGKILL) and removes the run directory. */
  stop(): Promise<void>;
}

/**
 * Lays `rgw.env()` over `into` (a copy of the environment for a child, or
 * process.env itself for this process): its values set, its undefined
 * entries removed. Returns `into`.
 */
export function withRgwEnv(rgw: Pick<Rgw, 'env'>, into: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  for (const [name, value] of Object.entries(rgw.env()) as Array<[string, string | undefined]>) {
    if (value === undefined) delete into[name];
    else into[name] = value;
  }
  return into;
}

/** A running gateway, or why it cannot run here (for `t.skip(reason)`). */
export type RgwStart = { readonly rgw: Rgw; readonly reason: null } | { readonly rgw: null; readonly reason: string };

const HOST = '127.0.0.1';
const REGION = 'us-east-1';
const GiB = 1024 ** 3;
const START_TIMEOUT_MS = 60_000;
/** How long a daemon may take to exit after each of SIGTERM and SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** Of each log, for output(). */
const TAIL_BYTES = 4096;
/** Packages and one program of each that the cluster runs. */
const PROGRAMS: readonly (readonly [string, string])[] = [
  ['ceph-mon', 'ceph-mon'],
  ['monmaptool', 'ceph-base'],
  ['ceph-osd', 'ceph-osd'],
  ['ceph', 'ceph-common'],
  ['radosgw-admin', 'ceph-common'],
  ['radosgw', 'radosgw'],
];

/**
 * An S3 client with what Ceph RGW 16 needs: path-style addressing (the
 * bucket in the path, never in a host name that RGW has no DNS for), and
 * checksums only where S3 requires them (RGW 16 refuses a streamed upload
 * with the SDK's default trailing checksum as MissingContentLength).
 * Credentials and region are passed in, so no profile, credentials file or
 * instance metadata is consulted. The SDK does not read AWS_CA_BUNDLE, and
 * the endpoint is plain http.
 */
export function rgwClient(access: RgwAccess, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: access.endpoint,
    region: access.region,
    credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

/** Starts a cluster and its gateway; see the file comment. */
export async function startRgw(options: RgwOptions = {}): Promise<RgwStart> {
  const missing = await missingPackages();
  if (missing.length > 0) {
    const reason = `Ceph RGW is not installed (missing ${missing.join(', ')}; .ci/run installs them)`;
    if (process.env.CI) throw new Error(`CI is set, so the S3 tests must run, but ${reason}`);
    return { rgw: null, reason };
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? START_TIMEOUT_MS);
  const monPort = await freePort(HOST);
  let rgwPort = await freePort(HOST);
  while (rgwPort === monPort) rgwPort = await freePort(HOST);
  const cluster = new Cluster({ dir: runDir(), fsid: randomUUID(), monPort, rgwPort, memstoreBytes: options.memstoreBytes ?? 4 * GiB });
  await cluster.start(deadline);
  return { rgw: cluster, reason: null };
}

async function missingPackages(): Promise<string[]> {
  const found = await Promise.all(PROGRAMS.map(([program]) => hasProgram(program)));
  return [...new Set(PROGRAMS.filter((_, i) => !found[i]).map(([, pkg]) => pkg))];
}

interface Layout {
  readonly dir: string;
  readonly fsid: string;
  readonly monPort: number;
  readonly rgwPort: number;
  readonly memstoreBytes: number;
}

/**
 * ceph.conf for one monitor (a), one OSD (0) and one gateway (client.rgw),
 * every path inside `dir` and every address on 127.0.0.1.
 */
function cephConfig(l: Layout): string {
  return `[global]
fsid = ${l.fsid}
mon_host = v2:${HOST}:${l.monPort}
public_addr = ${HOST}
cluster_addr = ${HOST}
ms_bind_ipv4 = true
ms_bind_ipv6 = false
ms_bind_msgr1 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# radosgw's own default is "secure", which no method but cephx can give: without this it never authenticates.
ms_mon_client_mode = crc
run_dir = ${l.dir}
admin_socket = ${l.dir}/$name.$pid.asok
log_file = ${l.dir}/$name.log
mon_cluster_log_file = ${l.dir}/cluster.log
pid_file = ${l.dir}/$name.pid
keyring = ${l.dir}/keyring
crash_dir = ${l.dir}/crash
exec_dir = ${l.dir}
mon_data = ${l.dir}/mon.$id
osd_data = ${l.dir}/osd.$id
rgw_data = ${l.dir}/rgw
osd_objectstore = memstore
memstore_device_bytes = ${l.memstoreBytes}
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_data_avail_crit = 1
[mon]
# Commits every 10 ms instead of every second: a cold start takes a second instead of a quarter of a minute.
paxos_propose_interval = 0.01
[client]
rgw_frontends = beast endpoint=${HOST}:${l.rgwPort}
# Deleted and overwritten objects leave memstore (memory) within a minute, not hours.
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 15
rgw_gc_processor_max_time = 15
rgw_exit_timeout_secs = 2
`;
}

/** os.tmpdir() when its paths leave room for admin sockets (107 bytes), else /tmp. */
function runDir(): string {
  const dir = tempDir('rgw-');
  if (dir.length <= 60) return dir;
  removeDir(dir);
  return fs.mkdtempSync('/tmp/rgw-');
}

/** Processes ended by stop(), or by this process's exit if a test forgets, so none outlives the tests. */
const live = new Set<Daemon>();
const leftDirs = new Set<string>();
process.on('exit', () => {
  for (const daemon of live) daemon.signal('SIGKILL');
  for (const dir of leftDirs) removeDir(dir);
});

/** A daemon in the foreground, in a session of its own, its output in a file of the run directory. */
class Daemon {
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private running = true;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    outFile: string,
  ) {
    const fd = fs.openSync(outFile, 'a');
    try {
      // No pipe to us: a daemon holding one open would keep a reader waiting.
      this.child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    this.child.unref();
    live.add(this);
    this.exited = new Promise((resolve) => {
      const ended = () => {
        this.running = false;
        live.delete(this);
        resolve();
      };
      this.child.once('exit', ended);
      this.child.once('error', ended);
    });
  }

  get pid(): number | null {
    return this.running ? (this.child.pid ?? null) : null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** `first`, then SIGKILL to what is left, each waited for; resolves once the process is reaped. */
  async stop(first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    for (const signal of [first, 'SIGKILL'] as const) {
      this.signal(signal);
      if (await settlesWithin(this.exited, STOP_TIMEOUT_MS)) return;
    }
    throw new Error(`${this.name} (pid ${this.child.pid}) did not exit after SIGKILL`);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const timedOut = delay(ms, false, { signal: timer.signal }).catch(() => false);
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    timer.abort();
  }
}

class Cluster implements Rgw {
  readonly region = REGION;
  readonly accessKeyId = randomBytes(10).toString('hex').toUpperCase();
  readonly secretAccessKey = randomBytes(20).toString('hex');
  readonly endpoint: string;
  readonly client: S3Client;
  readonly dir: string;
  private readonly conf: string;
  private mon: Daemon | null = null;
  private osd: Daemon | null = null;
  private gateway: Daemon | null = null;
  /** Kills the set-up commands still running when a start fails. */
  private readonly setup = new AbortController();
  private lastOutput: string | null = null;

  constructor(private readonly layout: Layout) {
    leftDirs.add(layout.dir);
    this.dir = layout.dir;
    this.conf = path.join(layout.dir, 'ceph.conf');
    this.endpoint = `http://${HOST}:${layout.rgwPort}`;
    this.client = rgwClient(this);
  }

  async start(deadline: number): Promise<void> {
    try {
      await this.startCluster(deadline);
    } catch (err) {
      this.setup.abort();
      const output = this.output();
      await this.stop();
      throw new Error(`Ceph RGW in ${this.dir} did not start: ${(err as Error).message}\n${output}`);
    }
  }

  private async startCluster(deadline: number): Promise<void> {
    const { dir, fsid, monPort } = this.layout;
    fs.writeFileSync(this.conf, cephConfig(this.layout));

    const monmap = path.join(dir, 'monmap');
    await this.must(deadline, 'monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:${HOST}:${monPort}]`, monmap]);
    await this.must(deadline, 'ceph-mon', ['-c', this.conf, '--mkfs', '-i', 'a', '--monmap', monmap]);
    this.mon = this.daemon('mon.a', 'ceph-mon', ['-i', 'a']);

    // Both wait for the monitor to answer; `osd new` registers the OSD that mkfs makes.
    const osdUuid = randomUUID();
    fs.mkdirSync(path.join(dir, 'osd.0'));
    const [osdId] = await Promise.all([
      this.must(deadline, 'ceph', ['-c', this.conf, '--connect-timeout', String(secondsLeft(deadline)), 'osd', 'new', osdUuid]),
      this.must(deadline, 'ceph-osd', ['-c', this.conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]),
    ]);
    if (osdId.trim() !== '0') throw new Error(`the new OSD got id ${osdId.trim()}, not 0`);
    this.osd = this.daemon('osd.0', 'ceph-osd', ['-i', '0']);

    // Waits for the OSD to come up, and makes RGW's zone and pools on the way.
    const created = await this.must(deadline, 'radosgw-admin', [
      '-c',
      this.conf,
      'user',
      'create',
      '--uid',
      'sockftp',
      '--display-name',
      'sockftp tests',
      '--access-key',
      this.accessKeyId,
      '--secret-key',
      this.secretAccessKey,
    ]);
    const keys = (JSON.parse(created) as { keys?: { access_key: string }[] }).keys ?? [];
    if (!keys.some((k) => k.access_key === this.accessKeyId)) throw new Error(`radosgw-admin made a user without our key:\n${created}`);
    await this.launchGateway(deadline);
  }

  /** Runs a set-up command to success within the deadline, failing early if a daemon dies; resolves with its stdout. */
  private async must(deadline: number, command: string, args: readonly string[]): Promise<string> {
    const ran = run(command, args, { timeoutMs: Math.max(1, deadline - Date.now()), signal: this.setup.signal, cwd: this.layout.dir });
    const result = await this.whileUp(ran);
    if (result.code !== 0) {
      const how = result.signal === 'SIGKILL' ? 'was still running at the deadline' : `failed (${result.code ?? result.signal})`;
      throw new Error(`${command} ${args.join(' ')} ${how}:\n${result.stderr.trim()}\n${result.stdout.trim()}`);
    }
    return result.stdout;
  }

  /** `promise`, or a rejection as soon as one of the daemons exits. */
  private whileUp<T>(promise: Promise<T>): Promise<T> {
    const daemons = [this.mon, this.osd, this.gateway].filter((d): d is Daemon => d !== null);
    const died = daemons.map((d) => d.exited.then(() => Promise.reject(new Error(`${d.name} exited`))));
    return Promise.race([promise, ...died]);
  }

  private daemon(name: string, command: string, args: readonly string[]): Daemon {
    return new Daemon(name, command, ['-c', this.conf, '-f', ...args], path.join(this.layout.dir, `${name}.out`));
  }

  /** Starts radosgw and waits until it lists our buckets: listening alone could still be a gateway refusing our keys. */
  private async launchGateway(deadline: number): Promise<void> {
    const gateway = this.daemon('client.rgw', 'radosgw', ['-n', 'client.rgw']);
    this.gateway = gateway;
    let refusal = 'it did not listen';
    await eventually(
      async () => {
        if (!(await this.whileUp(answers(this.layout.rgwPort)))) return false;
        try {
          await this.whileUp(this.client.send(new ListBucketsCommand({})));
          return true;
        } catch (err) {
          if (!gateway.pid) throw err;
          refusal = `it answered ListBuckets with ${(err as Error).message}`;
          return false;
        }
      },
      { what: `radosgw to list buckets on ${this.endpoint}`, timeoutMs: Math.max(0, deadline - Date.now()), detail: () => refusal },
    );
  }

  async startGateway(): Promise<void> {
    if (this.gateway?.pid) return;
    if (!this.osd?.pid || !this.mon?.pid) throw new Error('the cluster is stopped');
    try {
      await this.launchGateway(Date.now() + START_TIMEOUT_MS);
    } catch (err) {
      throw new Error(`radosgw did not start again: ${(err as Error).message}\n${this.output()}`);
    }
  }

  async stopGateway(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.gateway?.stop(signal);
    this.gateway = null;
  }

  async createBucket(name = `sockftp-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`): Promise<string> {
    // No CreateBucketConfiguration: RGW 16 answers even LocationConstraint us-east-1 with
    // InvalidLocationConstraint, as its zone group is named "default".
    await this.client.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  }

  env(): RgwEnv {
    return {
      AWS_ACCESS_KEY_ID: this.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.secretAccessKey,
      AWS_REGION: this.region,
      AWS_CONFIG_FILE: os.devNull,
      AWS_SHARED_CREDENTIALS_FILE: os.devNull,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_CA_BUNDLE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: undefined,
    };
  }

  pids(): number[] {
    return [this.mon, this.osd, this.gateway].map((d) => d?.pid).filter((pid): pid is number => typeof pid === 'number');
  }

  output(): string {
    if (this.lastOutput !== null) return this.lastOutput;
    const { dir } = this.layout;
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /\.(log|out)$/.test(n) && fs.statSync(path.join(dir, n)).size > 0) : [];
    return names
      .sort()
      .map((name) => `--- ${name} ---\n${tail(path.join(dir, name))}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    if (this.lastOutput !== null) return;
    this.client.destroy();
    // One at a time, clients first: a gateway whose OSD is gone waits seconds to let go of its
    // watches, and the OSD tells the monitor it goes.
    await this.gateway?.stop();
    await this.osd?.stop();
    await this.mon?.stop();
    this.lastOutput = this.output();
    this.gateway = this.osd = this.mon = null;
    removeDir(this.layout.dir);
    leftDirs.delete(this.layout.dir);
  }
}

function secondsLeft(deadline: number): number {
  return Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
}

/** The last TAIL_BYTES of a file, from a line start. */
function tail(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    const text = buf.toString('utf8');
    return size > buf.length ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether something accepts TCP connections on the port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
