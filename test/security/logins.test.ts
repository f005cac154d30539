/**
 * Password guessing against the real server: replies that do not tell which
 * users exist, a delay that doubles with every failure from one address, a
 * ban after --max-login-failures (default 10), and passwords kept out of the
 * logs. Every test guesses from its own loopback address, because the
 * server counts failures per address.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { ControlConnection } from '../helpers/ControlConnection.js';
import { addUser, inSession, loginAttempt, openFrom, useHostileServer } from './support.js';

const ALICE_PASSWORD = 'correct-horse-battery-staple';

const fx = useHostileServer({
  args: async (sandbox) => {
    const users = path.join(sandbox.config, 'users.json');
    await addUser(users, 'alice', { password: ALICE_PASSWORD });
    // Debug logs every command, so the test of the logs sees every PASS line there is.
    return ['--users', users, '--log-level', 'debug'];
  },
});

const attempt = (from: string, user: string, password: string) => loginAttempt(from, fx.server.port, user, password);
const greetedFrom = async (from: string) => (await openFrom(from, fx.server.port)).conn;

/** Milliseconds from sending PASS to its reply. */
async function timedPass(conn: ControlConnection, password: string): Promise<{ code: number; ms: number }> {
  const started = performance.now();
  const { code } = await conn.send(`PASS ${password}`);
  return { code, ms: performance.now() - started };
}

// The scenarios guess from different addresses, so they can run side by side.
describe('failed logins', { concurrency: true }, () => {
  it('gives the same 331 and 530 to a user that exists and to one that does not', async () => {
    const replies = [];
    for (const [from, user] of [
      ['127.0.0.51', 'alice'],
      ['127.0.0.52', 'mallory-does-not-exist'],
    ]) {
      replies.push(await inSession(greetedFrom(from), async (conn) => [(await conn.send(`USER ${user}`)).lines, (await conn.send('PASS wrong')).lines]));
    }
    assert.deepEqual(
      replies[0].map((lines) => lines[0].slice(0, 3)),
      ['331', '530'],
    );
    assert.deepEqual(replies[1], replies[0]);
    await fx.assertUnharmed();
  });

  it('waits longer before each 530 from one address: at least 0.25 s, 0.5 s, then 1 s', async () => {
    const took: number[] = [];
    await inSession(greetedFrom('127.0.0.53'), async (conn) => {
      for (let i = 0; i < 3; i++) {
        await conn.expect('USER alice', 331);
        const { code, ms } = await timedPass(conn, `wrong-${i}`);
        assert.equal(code, 530);
        took.push(ms);
      }
    });
    // Lower bounds only, with a margin for timer rounding: a loaded machine may take longer, never shorter.
    for (const [i, expected] of [250, 500, 1000].entries()) {
      assert.ok(took[i] >= expected * 0.9, `failure ${i + 1} took ${Math.round(took[i])} ms, less than ${expected} ms`);
    }
    await fx.assertUnharmed();
  });

  it('bans an address after a brute force of 200 guesses: no guess gets in, not even the right one, and another address still logs in', async () => {
    const guesses = Array.from({ length: 200 }, (_, i) => (i === 149 ? ALICE_PASSWORD : `guess-${i}`));
    const results: number[] = [];
    const count = (code: number) => results.filter((c) => c === code).length;
    // Ten failures ban the address; up to eight guesses were in flight when it happened.
    const mostChecked = 10 + 8;
    // Eight guessers at once, each guess on a new connection, as password-guessing tools do. They give up
    // once the outcome is plain, so that a server that never bans fails this test without 200 slow 530s.
    const workers = Array.from({ length: 8 }, async () => {
      for (let guess = guesses.shift(); guess !== undefined && count(530) <= mostChecked && count(230) === 0; guess = guesses.shift()) {
        results.push(await attempt('127.0.0.54', 'alice', guess));
      }
    });
    await Promise.all(workers);
    assert.equal(count(230), 0, 'a guess logged in');
    assert.ok(count(530) <= mostChecked, `${count(530)} guesses were answered 530`);
    assert.ok(count(421) >= 180, `only ${count(421)} guesses were refused`);
    assert.equal(await attempt('127.0.0.54', 'alice', ALICE_PASSWORD), 421);
    await fx.assertUnharmed({ from: '127.0.0.55' });
    await fx.assertUnharmed({ from: '127.0.0.55', user: 'alice', password: ALICE_PASSWORD });
  });

  it('gives a session that was already open when its address was banned no further guesses', async () => {
    await inSession(greetedFrom('127.0.0.56'), async (early) => {
      const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt('127.0.0.56', 'alice', `guess-${i}`)));
      assert.ok(codes.includes(421), `ten failures did not ban the address: ${codes.join(', ')}`);
      await early.expect('USER alice', 331);
      const reply = await early.send('PASS one-more-guess');
      assert.equal(reply.code, 421, `the banned address had one more password checked: ${reply.code} ${reply.text}`);
    });
    await fx.assertUnharmed();
  });
});

describe('the logs', () => {
  it('never hold a password, even at --log-level debug, which logs every command', async () => {
    const wrong = 'wrong-horse-battery-staple';
    await inSession(greetedFrom('127.0.0.57'), async (conn) => {
      await conn.expect('USER alice', 331);
      await conn.expect(`PASS ${wrong}`, 530);
      await conn.expect('user alice', 331);
      await conn.expect(`pass ${ALICE_PASSWORD}`, 230);
    });
    await fx.server.waitForOutput(/connection closed [^\n]*client=127\.0\.0\.57/);
    const log = fx.server.output();
    assert.match(log, /PASS \*\*\*\*/, 'PASS was not logged at all, so the test saw nothing');
    assert.ok(!log.includes(wrong), 'a wrong password is in the log');
    assert.ok(!log.includes(ALICE_PASSWORD), "alice's password is in the log");
    await fx.assertUnharmed();
  });
});
