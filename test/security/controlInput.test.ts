/**
 * Hostile bytes on the control connection: plaintext smuggled in after
 * AUTH TLS (pure-ftpd CVE-2011-1575), endless lines, binary garbage, Telnet
 * sequences and floods. Each test asserts the replies, that nothing beside
 * the root was touched, and that a normal client is still served.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { greeted, inSession, startTls, tlsArgs, useHostileServer, within } from './support.js';

const fx = useHostileServer({ args: (sandbox) => tlsArgs(sandbox.config) });

const IAC = 0xff;
const [WILL, DO, IP, DM] = [0xfb, 0xfd, 0xf4, 0xf2];

/** Puts a file in the root that an injected DELE would remove. */
function victim(): string {
  const file = path.join(fx.sandbox.root, 'victim.txt');
  fs.writeFileSync(file, 'still here\n');
  return file;
}

const loggedIn = () => ControlConnection.login(fx.server.port);

describe('plaintext pipelined after AUTH TLS is discarded, never executed', () => {
  for (const [name, prefix, auth] of [
    ['AUTH TLS', '', 'AUTH TLS'],
    ['a lower-case "auth tls"', '', 'auth tls'],
    ['AUTH TLS-C', '', 'AUTH TLS-C'],
    ['AUTH SSL', '', 'AUTH SSL'],
    ['AUTH TLS after a NOOP in the same write', 'NOOP\r\n', 'AUTH TLS'],
  ] as const) {
    it(`drops "DELE victim.txt" sent in the same write as ${name}`, async () => {
      const file = victim();
      await inSession(greeted(fx.server.port), async (conn) => {
        conn.write(`${prefix}${auth}\r\nDELE victim.txt\r\n`);
        if (prefix) assert.equal((await conn.read()).code, 200);
        assert.equal((await conn.read()).code, 234);
        await inSession(startTls(conn), async ({ conn: secure }) => {
          // Over TLS the first reply is the NOOP's: no DELE reply was waiting in line.
          assert.equal((await secure.send('NOOP')).code, 200);
          await secure.expect('USER anonymous', 331);
          await secure.expect('PASS guest@', 230);
        });
      });
      assert.ok(fs.existsSync(file), 'the smuggled DELE ran');
      await fx.assertUnharmed();
    });
  }

  it('does not log in with USER and PASS pipelined after AUTH TLS', async () => {
    await inSession(greeted(fx.server.port), async (conn) => {
      conn.write('AUTH TLS\r\nUSER anonymous\r\nPASS guest@\r\n');
      assert.equal((await conn.read()).code, 234);
      await inSession(startTls(conn), async ({ conn: secure }) => assert.equal((await secure.send('PWD')).code, 530));
    });
    await fx.assertUnharmed();
  });

  it('closes a connection that sends plaintext where the TLS handshake should be, and runs none of it', async () => {
    const file = victim();
    await inSession(greeted(fx.server.port), async (conn) => {
      await conn.expect('AUTH TLS', 234);
      conn.write('DELE victim.txt\r\nNOOP\r\n');
      await within(10_000, 'the server closing the connection', conn.waitClosed());
    });
    assert.ok(fs.existsSync(file), 'the DELE sent instead of a handshake ran');
    await fx.assertUnharmed();
  });
});

describe('lines that never end', () => {
  it('answers a 1 MiB line without CRLF with one 500, and serves the session once the line ends', async () => {
    await inSession(loggedIn(), async (conn) => {
      conn.write('A'.repeat(1024 * 1024));
      assert.equal((await conn.read()).code, 500);
      conn.write('\r\nNOOP\r\n');
      // The rest of the long line is skipped silently: the next reply is the NOOP's.
      assert.equal((await conn.read()).code, 200);
    });
    await fx.assertUnharmed();
  });

  it('answers a 1 MiB line before login the same way', async () => {
    await inSession(greeted(fx.server.port), async (conn) => {
      conn.write(Buffer.alloc(1024 * 1024, 'USER '));
      assert.equal((await conn.read()).code, 500);
      conn.write('\r\n');
      await conn.expect('USER anonymous', 331);
      await conn.expect('PASS guest@', 230);
    });
    await fx.assertUnharmed();
  });
});

describe('garbage and Telnet bytes', () => {
  it('answers 64 KiB of binary garbage with nothing but 5xx replies, then serves a NOOP', async () => {
    const codes = await inSession(loggedIn(), async (conn) => {
      conn.write(garbage(64 * 1024));
      conn.write('\r\nNOOP\r\n');
      const seen = [];
      for (let reply = await conn.read(); reply.code !== 200; reply = await conn.read()) seen.push(reply.code);
      return seen;
    });
    assert.ok(codes.length > 0, 'the garbage got no reply at all');
    assert.deepEqual(
      codes.filter((code) => code < 500),
      [],
      'a garbage line was taken for a command',
    );
    await fx.assertUnharmed();
  });

  it('drops Telnet commands inside a verb, even one cut between two writes', async () => {
    await inSession(loggedIn(), async (conn) => {
      conn.write(Buffer.from([0x4e, 0x4f, IAC])); // "NO", IAC
      conn.write(Buffer.from([WILL, 0x01, 0x4f, 0x50, IAC, IP, 0x0d, 0x0a])); // WILL ECHO, "OP", IAC IP, CRLF
      assert.equal((await conn.read()).code, 200);
    });
    await fx.assertUnharmed();
  });

  it('answers a storm of Telnet negotiation with nothing, then serves the command after it', async () => {
    const storm: number[] = [];
    for (let option = 0; option < 256; option++) storm.push(IAC, DO, option, IAC, WILL, option, IAC, IP, IAC, DM);
    await inSession(loggedIn(), async (conn) => {
      conn.write(Buffer.concat([Buffer.from(storm), Buffer.from('PWD\r\n')]));
      // The first reply is the PWD's: option bytes 10 and 13 (LF, CR) are options here, not line ends.
      assert.equal((await conn.read()).code, 257);
    });
    await fx.assertUnharmed();
  });

  it('reads an LF that is the option byte of IAC DO as the option, so no command can hide behind it', async () => {
    const file = victim();
    await inSession(loggedIn(), async (conn) => {
      // RFC 854: IAC DO <option> is three bytes whatever the option, 10 included. A parser that ends the
      // line at that LF sees "NOOP" and then, with "X" taken as the option, "DELE victim.txt";
      // a Telnet-aware proxy in front of it sees one line, "NOOPXDELE victim.txt", and lets it pass.
      conn.write(Buffer.concat([Buffer.from('NOOP'), Buffer.from([IAC, DO, 0x0a]), Buffer.from('XDELE victim.txt\r\n')]));
      assert.equal((await conn.read()).code, 500);
      await conn.expect('NOOP', 200);
    });
    assert.ok(fs.existsSync(file), 'the DELE hidden behind IAC DO LF ran');
    await fx.assertUnharmed();
  });

  it('answers 5,000 pipelined commands in one write, in order, without dropping the session', async () => {
    await inSession(loggedIn(), async (conn) => {
      conn.write('NOOP\r\n'.repeat(5_000) + 'PWD\r\n');
      for (let i = 0; i < 5_000; i++) assert.equal((await conn.read()).code, 200);
      assert.equal((await conn.read()).code, 257);
    });
    await fx.assertUnharmed();
  });
});

/** Bytes that look random but are the same every run (xorshift32), CR and LF included, so a failure can be replayed. */
function garbage(size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
