/**
 * Clients that try to exhaust the server by holding connections: slowloris
 * sessions that trickle bytes, sessions that never log in, and hundreds of
 * idle connections. Each test asserts the replies and that a normal client
 * is still served.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlConnection } from '../helpers/ControlConnection.js';
import { inSession, loginFrom, openFrom, useHostileServer, watchOutput, within } from './support.js';

/** Traffic a client keeps up on its connection at a steady rate; returns how to stop it. */
type Traffic = (conn: ControlConnection) => () => void;

/** One byte of `text` a second: a client always sending something that never finishes a line. */
const trickle =
  (text: string): Traffic =>
  (conn) => {
    let i = 0;
    const timer = setInterval(() => conn.write(text[i++ % text.length]), 1_000);
    return () => clearInterval(timer);
  };

/** A NOOP every half second (the replies are left to the reader): a client that keeps finishing commands. */
const keepBusy: Traffic = (conn) => {
  const timer = setInterval(() => conn.write('NOOP\r\n'), 500);
  return () => clearInterval(timer);
};

/**
 * Keeps `traffic` going until the server closes the connection, which must
 * happen within 10 s and with a `code` reply; resolves with that reply's text.
 */
async function closedDespite(conn: ControlConnection, traffic: Traffic, code: number): Promise<string> {
  const stop = traffic(conn);
  try {
    let reply = await conn.read(10_000);
    // A busy client's NOOP replies come first.
    while (reply.code === 200) reply = await conn.read(10_000);
    assert.equal(reply.code, code);
    await within(10_000, 'the server closing the connection', conn.waitClosed());
    return reply.text;
  } finally {
    stop();
  }
}

describe('slowloris: bytes without finished commands do not keep a session', { concurrency: true }, () => {
  const fx = useHostileServer({ args: ['--idle-timeout', '2', '--login-timeout', '3'] });
  const opened = async (from: string) => (await openFrom(from, fx.server.port)).conn;

  it('closes a logged-in session that sends a byte a second but never a whole line with 421', async () => {
    await inSession(loginFrom('127.0.0.21', fx.server.port), (conn) => closedDespite(conn, trickle('NOOP this line never ends '), 421));
    await fx.assertUnharmed();
  });

  it('closes a session that trickles a byte a second before login with 421', async () => {
    await inSession(opened('127.0.0.22'), (conn) => closedDespite(conn, trickle('USER this line never ends '), 421));
    await fx.assertUnharmed();
  });

  it('closes a session that keeps sending commands but never logs in with 421 at the login timeout', async () => {
    const text = await inSession(opened('127.0.0.23'), (conn) => closedDespite(conn, keepBusy, 421));
    assert.match(text, /login/i);
    await fx.assertUnharmed();
  });

  it('keeps a logged-in session that finishes a command within every idle period', async () => {
    await inSession(loginFrom('127.0.0.24', fx.server.port), async (conn) => {
      // Six NOOPs 0.7 s apart span twice the idle timeout: only the finished commands kept the session.
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 700));
        await conn.expect('NOOP', 200);
      }
    });
    await fx.assertUnharmed();
  });
});

/** `count` connections from `from`, opened at once, with their greeting codes; close() closes them all. */
async function openMany(count: number, from: string, port: number): Promise<{ codes: number[]; close(): void }> {
  const opened = await Promise.all(Array.from({ length: count }, () => openFrom(from, port)));
  return { codes: opened.map((o) => o.code), close: () => opened.forEach((o) => o.conn.close()) };
}

const tally = (codes: number[]) => Object.fromEntries([...new Set(codes)].sort().map((code) => [code, codes.filter((c) => c === code).length]));

describe('500 idle connections from one address, with the default --max-per-ip of 50', () => {
  const fx = useHostileServer();

  it('holds 50, refuses the other 450 with 421 at once, and serves a client from another address', async () => {
    await inSession(openMany(500, '127.0.0.31', fx.server.port), async (idle) => {
      assert.deepEqual(tally(idle.codes), { 220: 50, 421: 450 });
      await fx.assertUnharmed({ from: '127.0.0.2' });
    });
  });
});

describe('500 idle sessions held at once', () => {
  // The limit is raised so that all 500 become sessions the server holds, which is the load under test.
  const fx = useHostileServer({ args: ['--max-per-ip', '600'] });

  it('greets all 500 and still serves a normal client from the same address', async () => {
    await inSession(openMany(500, '127.0.0.1', fx.server.port), async (idle) => {
      assert.deepEqual(tally(idle.codes), { 220: 500 });
      await fx.assertUnharmed();
    });
  });
});

describe('--max-clients', () => {
  const fx = useHostileServer({ args: ['--max-clients', '3'] });

  it('refuses connections beyond the limit with 421, from any address, and serves again once one closes', async () => {
    // The server frees a place once it has seen a session close, which it prints.
    const closed = watchOutput(fx.server, 'connection closed');
    await inSession(openMany(3, '127.0.0.41', fx.server.port), async (held) => {
      assert.deepEqual(tally(held.codes), { 220: 3 });
      const extra = await openMany(1, '127.0.0.42', fx.server.port);
      extra.close();
      assert.deepEqual(extra.codes, [421]);
    });
    await closed(3);
    await fx.assertUnharmed();
  });
});
