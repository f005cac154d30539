/**
 * The fleet (Fleet.ts): three instances on one RGW bucket behind a real
 * HAProxy sending PROXY v2. Clients log in through the one address and the
 * instances see the clients' own addresses; a file written through one
 * instance is there through the others; an instance killed mid-download or
 * mid-upload costs our client (and lftp) a reconnect and a resume, not the
 * file; an instance told to stop drains first; PROXY headers from anywhere
 * but the load balancer are refused.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { eventually } from '../helpers/eventually.js';
import { MiB, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { startRgw, type Rgw } from '../helpers/rgw.js';
import { BACKEND, Fleet, PROXY_SOURCE, type Instance } from './Fleet.js';

const GiB = 1024 * MiB;
/** What the fleet's slow moments (a third of 1 GiB through the proxy, a sweep of the store) may take on a loaded machine. */
const SLOW_MS = 60_000;

const start = await startRgw({ memstoreBytes: 8 * GiB });
let skip: string | false = start.reason ?? false;

const fileSize = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;

describe('a fleet of three instances behind HAProxy, on one bucket', { skip }, () => {
  let rgw: Rgw;
  let fleet: Fleet;
  let work: string;
  /** The 1 GiB file the failover tests move, and its SHA-256. */
  let big: string;
  let bigSum: string;

  before(async () => {
    rgw = start.rgw!;
    const bucket = await rgw.createBucket();
    const started = await Fleet.start(rgw, bucket);
    if (typeof started === 'string') {
      skip = started;
      return;
    }
    fleet = started;
    work = tempDir();
    big = path.join(work, 'big.bin');
    const hash = createHash('sha256');
    const out = fs.openSync(big, 'w');
    for (let i = 0; i < 64; i++) {
      const chunk = randomBytes(16 * MiB);
      hash.update(chunk);
      fs.writeSync(out, chunk);
    }
    fs.closeSync(out);
    bigSum = hash.digest('hex');
    const upload = new Upload({
      client: rgw.client,
      params: { Bucket: bucket, Key: 'big.bin', Body: fs.createReadStream(big) },
      partSize: 64 * MiB,
      queueSize: 2,
    });
    await upload.done();
  });

  after(async () => {
    await fleet?.stop();
    await rgw?.stop();
    if (work) removeDir(work);
  });

  /** Our client; killed if still running when `t` ends (an instance kill that never came). */
  const sockftp = (t: TestContext, args: string[]) => run(process.execPath, [CLI, ...args], { cwd: work, env: fleet.clientEnv, timeoutMs: 300_000, test: t });
  const objectSha = async (key: string) => {
    const got = await rgw.client.send(new GetObjectCommand({ Bucket: fleet.bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of got.Body as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  };
  const objectExists = async (key: string) =>
    rgw.client.send(new HeadObjectCommand({ Bucket: fleet.bucket, Key: key })).then(
      () => true,
      () => false,
    );
  const uploadsOf = async (key: string) => (await rgw.client.send(new ListMultipartUploadsCommand({ Bucket: fleet.bucket, Prefix: key }))).Uploads ?? [];

  it('lets curl, lftp and our client log in through HAProxy, and each instance sees the client, not the proxy', async (t) => {
    if (skip) return t.skip(String(skip));
    await rgw.client.send(new PutObjectCommand({ Bucket: fleet.bucket, Key: 'hello.txt', Body: 'hello', ContentLength: 5 }));
    const curl = await run('curl', ['-sS', '--max-time', '30', `${fleet.url}/hello.txt`], { timeoutMs: 40_000 });
    assert.equal(curl.stdout, 'hello', curl.stderr);
    const lftp = await run('lftp', ['-c', `set net:max-retries 1; set cmd:fail-exit yes; open -u anonymous,x ${fleet.url}; cat hello.txt`], {
      timeoutMs: 40_000,
    });
    assert.equal(lftp.stdout, 'hello', lftp.stderr);
    const ours = await sockftp(t, ['ls', `${fleet.url}/`]);
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    assert.match(ours.stdout, /hello\.txt/);
    const conn = await ControlConnection.login(fleet.port);
    t.after(() => conn.close());
    const me = `127.0.0.1:${conn.socket.localPort}`;
    await conn.expect('PWD', 257);
    conn.close();
    const served = fleet.instanceWith(`"client":"${me}"`);
    assert.ok(served, `no instance logged the client ${me}`);
    for (const i of fleet.instances) assert.doesNotMatch(i.server.output(), new RegExp(`"client":"${PROXY_SOURCE.replace(/\./g, '\\.')}:`), i.name);
  });

  it('counts per-address limits by the client behind the proxy', async (t) => {
    if (skip) return t.skip(String(skip));
    for (const i of fleet.instances) await fleet.restart(await stopped(i), ['--max-per-ip', '2']);
    const open: net.Socket[] = [];
    try {
      // Round robin over three instances: six sessions from 127.0.0.1 fill each one's two.
      for (let n = 0; n < 6; n++) open.push(await sessionFrom('127.0.0.1', fleet.port, 220));
      await sessionFrom('127.0.0.1', fleet.port, 421).then((s) => s.destroy());
      // Every session arrives from the proxy's one address; another client behind it is still let in.
      open.push(await sessionFrom('127.0.0.20', fleet.port, 220));
    } finally {
      open.forEach((s) => s.destroy());
      for (const i of fleet.instances) await fleet.restart(await stopped(i));
    }
  });

  it('shows a file uploaded through one instance through the others at once', async (t) => {
    if (skip) return t.skip(String(skip));
    const payload = randomBytes(3 * MiB);
    const conns = [await ControlConnection.login(fleet.port), await ControlConnection.login(fleet.port), await ControlConnection.login(fleet.port)];
    t.after(() => conns.forEach((c) => c.close()));
    const instances = conns.map((c) => fleet.instanceWith(`"client":"127.0.0.1:${c.socket.localPort}"`)!.name);
    assert.equal(new Set(instances).size, 3, `sessions landed on ${instances.join(', ')}`);
    const [first, ...others] = conns;
    await first.expect('TYPE I', 200);
    assert.equal((await first.sendData('STOR shared.bin', payload)).final.code, 226);
    for (const conn of others) {
      await conn.expect('TYPE I', 200);
      assert.match((await conn.receive('NLST')).data.toString(), /^shared\.bin\r$/m);
      assert.ok((await conn.receive('RETR shared.bin')).data.equals(payload));
    }
  });

  it('refuses PROXY headers from anyone but the load balancer', async (t) => {
    if (skip) return t.skip(String(skip));
    const target = fleet.instances[0];
    for (const header of [proxyV1('6.6.6.6'), proxyV2('6.6.6.6')]) {
      const socket = net.connect({ host: target.host, port: target.port, localAddress: '127.0.0.1' });
      t.after(() => socket.destroy());
      let received = '';
      socket.setEncoding('latin1').on('data', (d: string) => (received += d));
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(Buffer.concat([header, Buffer.from('USER anonymous\r\n')]));
      await new Promise((resolve) => socket.once('close', resolve));
      assert.doesNotMatch(received, /^331/m, received);
    }
    assert.ok(!target.server.output().includes('6.6.6.6:'), 'a forged address became a session');
  });

  it('survives kill -9 of the instance serving a 1 GiB download: our client reconnects, resumes with REST, and the SHA-256 matches', async (t) => {
    if (skip) return t.skip(String(skip));
    const local = path.join(work, 'ours.down');
    const mark = fleet.mark();
    const download = sockftp(t, ['get', '--retries', '5', `${fleet.url}/big.bin`, local]);
    await eventually(() => fileSize(`${local}.part`) > GiB / 3 || fileSize(local) > 0, { what: 'the download to be a third done', timeoutMs: SLOW_MS });
    const serving = fleet.instanceWith('RETR big.bin', mark)!;
    assert.ok(serving, 'no instance logged the RETR');
    await fleet.kill(serving);
    const result = await download;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(await sha256File(local), bigSum);
    const resumedOn = fleet.instanceWith('"command":"REST ', mark);
    assert.ok(resumedOn && resumedOn !== serving, 'the resume did not go to another instance with REST');
    await fleet.restart(serving);
  });

  it("survives kill -9 of the instance serving lftp a 1 GiB download, with lftp's own retry", async (t) => {
    if (skip) return t.skip(String(skip));
    const local = path.join(work, 'lftp.down');
    const mark = fleet.mark();
    const script = `set net:max-retries 5; set net:reconnect-interval-base 1; set net:reconnect-interval-max 2; set net:timeout 10; set cmd:fail-exit yes; open -u anonymous,x ${fleet.url}; get big.bin -o "${local}"`;
    const download = run('lftp', ['-c', script], { timeoutMs: 300_000, test: t });
    await eventually(() => fileSize(local) > GiB / 3, { what: 'lftp to be a third done', timeoutMs: SLOW_MS });
    const serving = fleet.instanceWith('RETR big.bin', mark)!;
    await fleet.kill(serving);
    const result = await download;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await sha256File(local), bigSum);
    await fleet.restart(serving);
  });

  it('survives kill -9 of the instance receiving a 1 GiB upload: no object appears, the upload is swept, and our retry completes it once', async (t) => {
    if (skip) return t.skip(String(skip));
    const mark = fleet.mark();
    const upload = sockftp(t, ['put', '--retries', '5', big, `${fleet.url}/up.bin`]);
    // Midway: a good share of the file is already parts in the store.
    await eventually(
      async () => {
        const [pending] = await uploadsOf('up.bin');
        if (!pending) return false;
        const parts = await rgw.client.send(new ListPartsCommand({ Bucket: fleet.bucket, Key: 'up.bin', UploadId: pending.UploadId }));
        return (parts.Parts ?? []).length >= 40;
      },
      { what: 'the upload to have 40 parts in the store', timeoutMs: SLOW_MS },
    );
    const receiving = fleet.instanceWith('STOR up.bin', mark)!;
    assert.ok(receiving, 'no instance logged the STOR');
    await fleet.kill(receiving);
    assert.equal(await objectExists('up.bin'), false, 'a cut upload became visible');
    const result = await upload;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(await objectSha('up.bin'), bigSum);
    // Once: one STOR completed across the fleet, on another instance.
    const completed = fleet.instances.filter((i) =>
      i.server
        .output()
        .slice(mark.get(i) ?? 0)
        .includes('"command":"STOR up.bin"'),
    );
    assert.ok(completed.some((i) => i !== receiving));
    // The killed instance's multipart upload is still in the store until a sweep aborts it: its restart sweeps.
    assert.equal((await uploadsOf('up.bin')).length, 1);
    await fleet.restart(receiving, ['--s3-upload-expiry', '1s']);
    await eventually(async () => (await uploadsOf('up.bin')).length === 0, { what: 'the leftover upload to be swept', timeoutMs: SLOW_MS });
    await fleet.restart(await stopped(receiving));
  });

  it('drains an instance told to stop: /readyz turns 503 first, new sessions go elsewhere, and the running download finishes', async (t) => {
    if (skip) return t.skip(String(skip));
    const local = path.join(work, 'drain.down');
    const mark = fleet.mark();
    const curl = run('curl', ['-sS', '--limit-rate', '150M', '--max-time', '120', '-o', local, `${fleet.url}/big.bin`], { timeoutMs: 130_000, test: t });
    await eventually(() => fileSize(local) > 50 * MiB, { what: 'the download to have started', timeoutMs: SLOW_MS });
    const draining = fleet.instanceWith('RETR big.bin', mark)!;
    // A session of the draining instance that is between transfers when the drain starts.
    let waiting: ControlConnection | null = null;
    for (let n = 0; n < 3 && !waiting; n++) {
      const conn = await ControlConnection.login(fleet.port);
      t.after(() => conn.close());
      if (fleet.instanceWith(`"client":"127.0.0.1:${conn.socket.localPort}"`) === draining) waiting = conn;
      else conn.close();
    }
    assert.ok(waiting, 'no session landed on the draining instance');
    const exited = new Promise<number | null>((resolve) => draining.server.process.once('exit', (code) => resolve(code)));
    draining.server.process.kill('SIGTERM');
    await eventually(async () => (await readyz(draining)) === 503, { what: '/readyz to answer 503', timeoutMs: 10_000 });
    await fleet.haproxy.waitForState(BACKEND, draining.name, 'DOWN');
    // Its sessions still get data connections through the balancer while it drains.
    assert.equal((await waiting.receive('RETR hello.txt')).data.toString(), 'hello');
    waiting.close();
    const after = fleet.mark();
    for (let n = 0; n < 4; n++) {
      const conn = await ControlConnection.login(fleet.port);
      t.after(() => conn.close());
      await conn.expect('PWD', 257);
      conn.close();
    }
    assert.ok(!draining.server.output().slice(after.get(draining)).includes('"msg":"login"'), 'a new session landed on the draining instance');
    const result = await curl;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await sha256File(local), bigSum);
    assert.equal(await exited, 0);
    await fleet.restart(draining);
  });

  /** Stops an instance (for a restart with other flags) and returns it; at once, since nothing runs on it then. */
  async function stopped(instance: Instance): Promise<Instance> {
    await fleet.kill(instance);
    return instance;
  }
});

async function readyz(instance: Instance): Promise<number> {
  try {
    return (await fetch(`http://${instance.host}:${instance.adminPort}/readyz`)).status;
  } catch {
    return 0;
  }
}

/** A control connection from `localAddress`, through the proxy; resolves once its greeting has the expected code. */
async function sessionFrom(localAddress: string, port: number, expected: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  const greeting = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      if (text.includes('\r\n')) resolve(text);
    });
    socket.once('close', () => reject(new Error(`closed before a greeting: ${text}`)));
  });
  assert.equal(Number(greeting.slice(0, 3)), expected, greeting);
  return socket;
}

function proxyV1(source: string): Buffer {
  return Buffer.from(`PROXY TCP4 ${source} 127.0.0.2 40000 21\r\n`);
}

/** A PROXY v2 header for TCP over IPv4, laid out as in HAProxy's proxy-protocol.txt section 2.2. */
function proxyV2(source: string): Buffer {
  const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
  const addresses = Buffer.concat([Buffer.from(source.split('.').map(Number)), Buffer.from([127, 0, 0, 2]), Buffer.from([0x9c, 0x40, 0x00, 0x15])]);
  return Buffer.concat([signature, Buffer.from([0x21, 0x11, 0x00, addresses.length]), addresses]);
}
