/**
 * --proxy-protocol-from on the real server: the address in a trusted load
 * balancer's PROXY header (v1 and v2) is the client's for logs, per-IP
 * limits, bans and the passive data check; anything else from a trusted
 * source, and any header from an untrusted one, closes the connection without
 * a session. Clients on 127.0.0.1 are "the load balancer"; 127.0.0.5 and up
 * are other hosts (all of 127.0.0.0/8 is loopback on Linux), the relay at the
 * end (a load balancer small enough to read, in front of curl) on 127.0.0.6.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import * as tls from 'node:tls';
import { ControlConnection, readAll } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { run } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { tlsArgs } from '../security/support.js';

const BALANCER = '127.0.0.1';
const ELSEWHERE = '127.0.0.5';
const RELAY_HOST = '127.0.0.6';

/** A v1 line, TCP4 or TCP6 by the source's family. */
function v1(source: string, sourcePort: number, destination = '127.0.0.1', destinationPort = 21): string {
  return `PROXY ${source.includes(':') ? 'TCP6' : 'TCP4'} ${source} ${destination} ${sourcePort} ${destinationPort}\r\n`;
}

/** A v2 header built from doc/proxy-protocol.txt 2.2: signature, ver_cmd, fam, length, addresses, ports. */
function v2(command: 'PROXY' | 'LOCAL', source = '0.0.0.0', sourcePort = 0, destination = '127.0.0.1', destinationPort = 21): Buffer {
  const signature = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
  if (command === 'LOCAL') return Buffer.from([...signature, 0x20, 0x00, 0, 0]);
  const six = source.includes(':');
  const bytes = (address: string) => (six ? ipv6Bytes(address) : address.split('.').map(Number));
  const body = [...bytes(source), ...bytes(six ? '::1' : destination), sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff];
  return Buffer.from([...signature, 0x21, six ? 0x21 : 0x11, 0, body.length, ...body]);
}

/** "2001:db8::7" -> 16 bytes, for the few addresses these tests use. */
function ipv6Bytes(address: string): number[] {
  const [head, tail] = address.split('::') as [string, string?];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t].flatMap((g) => [g >> 8, g & 0xff]);
}

/** Connects from `localAddress`, sends `bytes`, and collects what comes back until the server closes (bounded). */
async function answerTo(port: number, localAddress: string, bytes: string | Buffer): Promise<{ received: string; closed: boolean }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  if (bytes.length > 0) socket.write(bytes);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = await once(socket, 'close', { signal: AbortSignal.timeout(8_000) }).then(
    () => true,
    () => false,
  );
  socket.destroy();
  return { received: Buffer.concat(chunks).toString('latin1'), closed };
}

/** The JSON log lines printed so far. */
function logLines(server: RunningServer): Array<Record<string, unknown>> {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function waitForLog(server: RunningServer, matches: (line: Record<string, unknown>) => boolean): Promise<void> {
  return server.waitForOutput(() => logLines(server).some(matches));
}

/** EPSV, then a data connection from the balancer that starts with `header` (and `data`, in the same write). */
async function dataThrough(t: TestContext, conn: ControlConnection, header: string | Buffer, data: Buffer = Buffer.alloc(0)): Promise<net.Socket> {
  const reply = await conn.expect('EPSV', 229);
  return dataConnection(t, Number(/\|\|\|(\d+)\|/.exec(reply.text)![1]), header, data);
}

/** A data connection from the balancer, closed after the test `t`. */
async function dataConnection(t: TestContext, port: number, header: string | Buffer, data: Buffer = Buffer.alloc(0)): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: BALANCER });
  t.after(() => socket.destroy());
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(Buffer.concat([Buffer.from(header), data]));
  return socket;
}

let root: string;
let server: RunningServer;
before(async () => {
  root = tempDir();
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello through the balancer\n');
  server = await startServer(root, [
    '--proxy-protocol-from',
    `${BALANCER}/32`,
    '--log-format',
    'json',
    '--max-per-ip',
    '1',
    '--max-login-failures',
    '2',
    '--login-timeout',
    '2',
    '--anonymous',
    'write',
  ]);
});
after(async () => {
  await server.stop();
  removeDir(root);
});

describe('a PROXY header from a trusted load balancer', () => {
  for (const [name, header, client] of [
    ['v1 TCP4', v1('203.0.113.7', 40001), '203.0.113.7:40001'],
    ['v1 TCP6', v1('2001:db8::7', 40002, '2001:db8::1'), '2001:db8::7:40002'],
    ['v2 IPv4', v2('PROXY', '203.0.113.8', 40003), '203.0.113.8:40003'],
    ['v2 IPv6', v2('PROXY', '2001:db8::8', 40004), '2001:db8::8:40004'],
  ] as const) {
    it(`${name}: its source is the client, in STAT and in the logs, and the balancer is logged beside it`, async (t) => {
      const { conn, greeting } = await ControlConnection.openFrom(server.port, BALANCER, header);
      t.after(() => conn.close());
      assert.equal(greeting.code, 220);
      await conn.expect('USER anonymous', 331);
      await conn.expect('PASS x', 230);
      const stat = await conn.expect('STAT', 211);
      assert.match(stat.text, new RegExp(`Connected to ${client.slice(0, client.lastIndexOf(':')).replace(/\./g, '\\.')}\\b`));
      await conn.expect('QUIT', 221);
      await waitForLog(server, (l) => l.client === client && typeof l.proxy === 'string' && l.proxy.startsWith(`${BALANCER}:`) && l.user === 'anonymous');
    });
  }

  it("v2 LOCAL (a health check) keeps the balancer's own address", async (t) => {
    const { conn, greeting } = await ControlConnection.openFrom(server.port, BALANCER, v2('LOCAL'));
    t.after(() => conn.close());
    assert.equal(greeting.code, 220);
    await conn.expect('USER anonymous', 331);
    await conn.expect('PASS x', 230);
    assert.match((await conn.expect('STAT', 211)).text, /Connected to 127\.0\.0\.1\b/);
    await conn.expect('QUIT', 221);
  });

  it("--max-per-ip counts the header's address, not the balancer's", async (t) => {
    const { conn: first } = await ControlConnection.openFrom(server.port, BALANCER, v1('203.0.113.20', 1000));
    t.after(() => first.close());
    const second = await answerTo(server.port, BALANCER, v1('203.0.113.20', 1001));
    assert.equal(second.received, '421 Too many connections from your address\r\n');
    // Two clients behind one balancer are two addresses: the second one is served while the first stays.
    const { conn: other, greeting } = await ControlConnection.openFrom(server.port, BALANCER, v1('203.0.113.21', 1002));
    t.after(() => other.close());
    assert.equal(greeting.code, 220);
    first.close();
    other.close();
    await waitForLog(
      server,
      (l) => l.client === '203.0.113.20' && l.reason === 'Too many connections from your address' && String(l.proxy).startsWith(`${BALANCER}:`),
    );
  });

  it("bans the header's address after failed logins, and only that address", async (t) => {
    const { conn } = await ControlConnection.openFrom(server.port, BALANCER, v2('PROXY', '198.51.100.9', 2000));
    t.after(() => conn.close());
    await conn.expect('USER nobody', 331);
    await conn.expect('PASS wrong', 530);
    await conn.expect('USER nobody', 331);
    await conn.expect('PASS wrong', 421);
    await conn.waitClosed();
    const banned = await answerTo(server.port, BALANCER, v2('PROXY', '198.51.100.9', 2001));
    assert.equal(banned.received, '421 Too many failed logins; try again later\r\n');
    const { conn: neighbour, greeting } = await ControlConnection.openFrom(server.port, BALANCER, v2('PROXY', '198.51.100.10', 2002));
    t.after(() => neighbour.close());
    assert.equal(greeting.code, 220);
  });
});

describe('a trusted source without a valid PROXY header', () => {
  it('is closed without a reply when no header comes within the timeout', async () => {
    const started = Date.now();
    const result = await answerTo(server.port, BALANCER, '');
    assert.deepEqual(result, { received: '', closed: true });
    assert.ok(Date.now() - started >= 1_900, 'waited for the header (--login-timeout 2, below the 5 s cap)');
    await waitForLog(
      server,
      (l) => l.msg === 'no valid PROXY header from a trusted source; connection closed' && /no PROXY header within 2000 ms/.test(String(l.reason)),
    );
  });

  for (const [name, bytes, reason] of [
    ['a malformed v1 line', v1('203.0.113.300', 1), /not an IPv4 source address/],
    ['a v2 header of version 3', Buffer.from([...v2('PROXY', '203.0.113.9', 1)].map((b, i) => (i === 12 ? 0x31 : b))), /version 3/],
    ['a client that speaks FTP at once', 'USER anonymous\r\n', /does not start with a PROXY header/],
  ] as const) {
    it(`is closed at once without a reply on ${name}`, async () => {
      assert.deepEqual(await answerTo(server.port, BALANCER, bytes), { received: '', closed: true });
      // Closed for what it sent, not at the header timeout: the logged reason says which.
      await waitForLog(server, (l) => l.msg === 'no valid PROXY header from a trusted source; connection closed' && reason.test(String(l.reason)));
    });
  }
});

describe('a source not in --proxy-protocol-from', () => {
  it('is a direct client: greeted at once, served, its own address in STAT', async (t) => {
    const { conn, greeting } = await ControlConnection.openFrom(server.port, ELSEWHERE);
    t.after(() => conn.close());
    assert.equal(greeting.code, 220);
    await conn.expect('USER anonymous', 331);
    await conn.expect('PASS x', 230);
    assert.match((await conn.expect('STAT', 211)).text, /Connected to 127\.0\.0\.5\b/);
    await conn.expect('QUIT', 221);
  });

  // Each from an address of its own: --max-per-ip 1 must not see the one before, still closing.
  for (const [name, header, from] of [
    ['v1', v1('203.0.113.50', 1), '127.0.0.7'],
    ['v2', v2('PROXY', '203.0.113.51', 1), '127.0.0.8'],
  ] as const) {
    it(`that sends a ${name} header after the greeting is closed with no other reply`, async () => {
      const result = await answerTo(server.port, from, Buffer.concat([Buffer.from(header), Buffer.from('USER anonymous\r\nPASS x\r\n')]));
      assert.deepEqual(result, { received: '220 sockftp ready\r\n', closed: true });
      await waitForLog(
        server,
        (l) => l.msg === 'PROXY header from a source not in --proxy-protocol-from; connection closed' && String(l.client).startsWith(`${from}:`),
      );
    });
  }
});

describe('passive data connections through the load balancer', () => {
  it("are accepted with a header naming the client, and dropped with another address's or a malformed one", async (t) => {
    const { conn } = await ControlConnection.openFrom(server.port, BALANCER, v2('PROXY', '203.0.113.30', 3000));
    t.after(() => conn.close());
    await conn.expect('USER anonymous', 331);
    await conn.expect('PASS x', 230);
    const reply = await conn.expect('EPSV', 229);
    const port = Number(/\|\|\|(\d+)\|/.exec(reply.text)![1]);
    const foreign = await dataConnection(t, port, v2('PROXY', '203.0.113.31', 3001));
    assert.equal((await readAll(foreign)).length, 0);
    const malformed = await dataConnection(t, port, 'PROXY TCP4 203.0.113.30\r\n');
    assert.equal((await readAll(malformed)).length, 0);
    await conn.expect('TYPE I', 200);
    const own = await dataConnection(t, port, v1('203.0.113.30', 3002));
    const received = readAll(own);
    assert.equal((await conn.send('RETR hello.txt')).code, 150);
    assert.equal((await received).toString(), 'hello through the balancer\n');
    assert.equal((await conn.read()).code, 226);
    await waitForLog(server, (l) => l.msg === 'passive data connection from a foreign address dropped' && l.address === '203.0.113.31');
    await waitForLog(server, (l) => l.msg === 'passive data connection without a valid PROXY header dropped' && /exactly 4 fields/.test(String(l.reason)));
    await conn.expect('QUIT', 221);
  });

  it('take an upload whose first bytes and end came in the same write as the header', async (t) => {
    const { conn } = await ControlConnection.openFrom(server.port, BALANCER, v1('203.0.113.32', 3100));
    t.after(() => conn.close());
    await conn.expect('USER anonymous', 331);
    await conn.expect('PASS x', 230);
    await conn.expect('TYPE I', 200);
    const payload = Buffer.from('uploaded right behind the PROXY line\n');
    const data = await dataThrough(t, conn, v1('203.0.113.32', 3101), payload);
    data.end();
    assert.equal((await conn.send('STOR up.txt')).code, 150);
    assert.equal((await conn.read()).code, 226);
    assert.deepEqual(fs.readFileSync(path.join(root, 'up.txt')), payload);
    await conn.expect('QUIT', 221);
  });
});

describe('without --proxy-protocol-from', () => {
  it('a PROXY line is an unknown command, as it always was', async (t) => {
    const plain = await startServer(root);
    t.after(() => plain.stop());
    const { conn } = await ControlConnection.open(plain.port);
    t.after(() => conn.close());
    assert.equal((await conn.send(v1('203.0.113.60', 1).trimEnd())).code, 500);
    await conn.expect('NOOP', 200);
    await conn.expect('QUIT', 221);
  });
});

describe('implicit FTPS behind the load balancer', () => {
  it('reads the header before the TLS handshake, even when the ClientHello shares its segment; screens direct clients before it', async (t) => {
    const certDir = tempDir();
    t.after(() => removeDir(certDir));
    const ftps = await startServer(root, [...tlsArgs(certDir), '--implicit-tls-port', '0', '--proxy-protocol-from', BALANCER, '--log-format', 'json']);
    t.after(() => ftps.stop());
    const implicitPort = Number(/ftps:\/\/[^\s:"]+:(\d+)/.exec(ftps.output())![1]);
    const raw = net.connect({ port: implicitPort, host: '127.0.0.1', localAddress: BALANCER });
    t.after(() => raw.destroy());
    await once(raw, 'connect');
    raw.cork();
    raw.write(v2('PROXY', '203.0.113.40', 4000));
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
    process.nextTick(() => raw.uncork());
    await once(secure, 'secureConnect');
    secure.setEncoding('utf8');
    const [greeting] = (await once(secure, 'data')) as [string];
    assert.match(greeting, /^220 /);
    secure.end('QUIT\r\n');
    await waitForLog(ftps, (l) => l.client === '203.0.113.40:4000' && l.tls === 'implicit');

    // A direct client's ClientHello is looked at for a PROXY signature, then handed to TLS whole.
    const directRaw = net.connect({ port: implicitPort, host: '127.0.0.1', localAddress: '127.0.0.9' });
    t.after(() => directRaw.destroy());
    await once(directRaw, 'connect');
    const direct = tls.connect({ socket: directRaw, rejectUnauthorized: false });
    await once(direct, 'secureConnect');
    direct.setEncoding('utf8');
    assert.match(((await once(direct, 'data')) as [string])[0], /^220 /);
    direct.end('QUIT\r\n');
    await waitForLog(ftps, (l) => String(l.client).startsWith('127.0.0.9:') && l.tls === 'implicit');

    assert.deepEqual(await answerTo(implicitPort, '127.0.0.10', v1('203.0.113.41', 1)), { received: '', closed: true });
    await waitForLog(
      ftps,
      (l) => l.msg === 'PROXY header from a source not in --proxy-protocol-from; connection closed' && String(l.peer).startsWith('127.0.0.10:'),
    );
  });
});

/**
 * A load balancer in a few lines: it accepts on RELAY_HOST and opens a
 * connection from the balancer's address to `targetPort`, sending a PROXY
 * header that names the accepted connection's peer first. It and its
 * connections are closed after the test `t`.
 */
async function startRelay(t: TestContext, port: number, targetPort: number, header: (client: net.Socket) => string | Buffer): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', localAddress: BALANCER });
    upstream.write(header(client));
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  t.after(() => {
    relay.close();
    for (const socket of sockets) socket.destroy();
  });
  relay.listen(port, RELAY_HOST);
  await once(relay, 'listening');
  return relay;
}

const relayedV1 = (client: net.Socket) => v1(client.remoteAddress!, client.remotePort!, client.localAddress, client.localPort);
const relayedV2 = (client: net.Socket) => v2('PROXY', client.remoteAddress, client.remotePort, client.localAddress, client.localPort);

/** curl from `from`: a client of its own each time, so --max-per-ip 1 never sees the last one still closing. */
async function curl(from: string, args: string[]): Promise<string> {
  const result = await run('curl', ['--silent', '--show-error', '--max-time', '20', '--interface', from, ...args], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

describe('curl through a relay that adds PROXY headers', () => {
  it('data straight to the instance (PASV at its own address): list, upload and download as the client', async (t) => {
    const relay = await startRelay(t, 0, server.port, relayedV1);
    const url = `ftp://${RELAY_HOST}:${(relay.address() as net.AddressInfo).port}/`;
    // EPSV names no address, so a client reaching data ports elsewhere than the control address needs PASV.
    const pasv = ['--disable-epsv', '--no-ftp-skip-pasv-ip'];
    assert.match(await curl('127.0.0.11', [...pasv, url]), /hello\.txt/);
    const work = tempDir();
    t.after(() => removeDir(work));
    const local = path.join(work, 'a.txt');
    fs.writeFileSync(local, 'through a relay, data direct\n');
    await curl('127.0.0.12', [...pasv, '-T', local, `${url}a.txt`]);
    assert.equal(await curl('127.0.0.13', [...pasv, `${url}a.txt`]), 'through a relay, data direct\n');
    await waitForLog(server, (l) => String(l.client).startsWith('127.0.0.12:') && l.path === '/a.txt' && l.direction === 'upload');
    await waitForLog(server, (l) => String(l.client).startsWith('127.0.0.13:') && l.path === '/a.txt' && l.direction === 'download');
  });

  it('one address for everything (passive ports relayed with PROXY v2 too): EPSV works as well', async (t) => {
    const low = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = [low, low + 1, low + 2];
    const behind = await startServer(root, [
      '--proxy-protocol-from',
      BALANCER,
      '--log-format',
      'json',
      '--pasv-address',
      RELAY_HOST,
      '--pasv-ports',
      `${low}-${low + 2}`,
    ]);
    t.after(() => behind.stop());
    const control = await startRelay(t, 0, behind.port, relayedV2);
    for (const p of ports) await startRelay(t, p, p, relayedV2);
    const url = `ftp://${RELAY_HOST}:${(control.address() as net.AddressInfo).port}/`;
    assert.equal(await curl('127.0.0.14', [`${url}hello.txt`]), 'hello through the balancer\n');
    assert.equal(await curl('127.0.0.15', ['--disable-epsv', `${url}hello.txt`]), 'hello through the balancer\n');
    for (const from of ['127.0.0.14', '127.0.0.15'])
      await waitForLog(behind, (l) => String(l.client).startsWith(`${from}:`) && l.path === '/hello.txt' && l.result === 'ok');
    assert.ok(!logLines(behind).some((l) => String(l.msg).includes('dropped')), 'no data connection was refused');
  });
});
