/**
 * Data connections cannot be pointed at third parties or taken over by them:
 * no FTP bounce through PORT/EPRT (ftp-srv CVE-2020-15152), no passive port
 * stolen by another address, no passive ports piling up.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { HELLO, inSession, loginFrom, receiveAll, useHostileServer, within } from './support.js';

const fx = useHostileServer();

/**
 * A listener standing in for a third party's service (or for the client's
 * own, in active mode): it counts who connects, and hands out the next one.
 */
async function bystander(host: string, port = 0): Promise<{ port: number; connections(): number; next(): Promise<net.Socket>; close(): void }> {
  const server = net.createServer();
  let count = 0;
  server.on('connection', () => count++);
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    next: async () => ((await once(server, 'connection')) as [net.Socket])[0],
    close: () => server.close(),
  };
}

/** The stand-in for an FTP server listens on port 21, which needs root (CI runs as root). */
const NOT_ROOT = process.getuid?.() !== 0 && 'listening on port 21 needs root';

const portArg = (host: string, port: number) => `${host.replaceAll('.', ',')},${port >> 8},${port & 0xff}`;

/**
 * Sends `command` (PORT/EPRT at `target`), then LIST, and checks the reply
 * codes and that the target saw no connection from the server.
 */
async function bounce(conn: ControlConnection, command: string, target: { connections(): number }, code: number): Promise<void> {
  assert.equal((await conn.send(command)).code, code);
  // The refused PORT left no data channel, so the transfer has nowhere to go.
  assert.equal((await conn.send('LIST')).code, 425);
  assert.equal(target.connections(), 0, 'the server connected to the target');
}

const loggedIn = () => ControlConnection.login(fx.server.port);

/** The port of a 229 reply (RFC 2428: "(|||port|)"). */
const epsvPort = (text: string) => Number(/\|\|\|(\d+)\|/.exec(text)![1]);

describe('active mode (PORT, EPRT): no FTP bounce', () => {
  for (const [verb, argument] of [
    ['PORT', portArg],
    ['EPRT', (host: string, port: number) => `|1|${host}|${port}|`],
  ] as const) {
    it(`refuses ${verb} to another address with 501, and never connects there`, async () => {
      await inSession(bystander('127.0.0.2'), (third) =>
        inSession(loggedIn(), (conn) => bounce(conn, `${verb} ${argument('127.0.0.2', third.port)}`, third, 501)),
      );
      await fx.assertUnharmed();
    });

    it(`refuses ${verb} to port 21 of the client's own address with 504, and never connects there`, { skip: NOT_ROOT }, async () => {
      // The client comes from 127.0.0.3, where the test (as root) can stand in for an FTP server on port 21.
      await inSession(bystander('127.0.0.3', 21), (ftp) =>
        inSession(loginFrom('127.0.0.3', fx.server.port), (conn) => bounce(conn, `${verb} ${argument('127.0.0.3', 21)}`, ftp, 504)),
      );
      await fx.assertUnharmed();
    });
  }

  it("connects to the client's own address on a high port, so the checks above are not all it does", async () => {
    await inSession(bystander('127.0.0.1'), (client) =>
      inSession(loggedIn(), async (conn) => {
        await conn.expect('TYPE I', 200);
        await conn.expect(`PORT ${portArg('127.0.0.1', client.port)}`, 200);
        const accepted = client.next();
        assert.equal((await conn.send('RETR hello.txt')).code, 150);
        const socket = await within(10_000, 'the server connecting to the PORT address', accepted);
        assert.equal((await receiveAll(socket)).toString(), HELLO);
        assert.equal((await conn.read()).code, 226);
      }),
    );
    await fx.assertUnharmed();
  });
});

describe('passive mode (PASV, EPSV)', () => {
  it('drops a data connection from another address and keeps the port for the client', async () => {
    await inSession(loggedIn(), async (conn) => {
      await conn.expect('TYPE I', 200);
      const port = epsvPort((await conn.expect('EPSV', 229)).text);
      assert.equal((await conn.send('RETR hello.txt')).code, 150);
      // The thief connects first, from 127.0.0.2, while the transfer waits for its data connection.
      const thief = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
      thief.on('error', () => undefined);
      assert.equal((await receiveAll(thief)).length, 0);
      const data = net.connect({ port, host: '127.0.0.1' });
      assert.equal((await receiveAll(data)).toString(), HELLO);
      assert.equal((await conn.read()).code, 226);
    });
    await fx.assertUnharmed();
  });

  it('holds one passive port per session: a second EPSV answers the same port', async () => {
    await inSession(loggedIn(), async (conn) => {
      const first = epsvPort((await conn.expect('EPSV', 229)).text);
      const second = epsvPort((await conn.expect('EPSV', 229)).text);
      assert.equal(second, first);
      assert.equal(await accepts(first), true);
    });
    await fx.assertUnharmed();
  });

  it('holds one passive port per session however many PASV it is sent', async () => {
    await inSession(loggedIn(), async (conn) => {
      const ports = [];
      for (let i = 0; i < 200; i++) {
        const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec((await conn.expect('PASV', 227)).text)!;
        ports.push(Number(m[5]) * 256 + Number(m[6]));
      }
      const open = await Promise.all(ports.map((port) => accepts(port)));
      // However many times it was asked, the session listens on one port (kept for its transfers).
      assert.equal(new Set(ports.filter((_, i) => open[i])).size, 1);
      assert.equal(new Set(ports).size, 1);
    });
    await fx.assertUnharmed();
  });
});

/** Whether something accepts TCP connections on 127.0.0.1:port (on loopback a refusal is immediate). */
function accepts(port: number): Promise<boolean> {
  return within(
    5_000,
    `connecting to port ${port}`,
    new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    }),
  );
}
