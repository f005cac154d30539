import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginGuard, type LoginGuardOptions } from '../../src/auth/LoginGuard.js';

const MINUTE = 60_000;

/** The server's defaults, on a clock the test moves by hand. */
function guard(overrides: Partial<LoginGuardOptions> = {}): { guard: LoginGuard; advance: (ms: number) => void } {
  let now = 1_000_000;
  const g = new LoginGuard({ maxFailures: 10, windowMs: 10 * MINUTE, banMs: 15 * MINUTE, baseDelayMs: 250, maxDelayMs: 4_000, now: () => now, ...overrides });
  return { guard: g, advance: (ms) => (now += ms) };
}

const fail = (g: LoginGuard, ip: string, times: number) => Array.from({ length: times }, () => g.recordFailure(ip));

describe('LoginGuard', () => {
  it('doubles the delay with every failure from one address, from 250 ms up to 4 s', () => {
    const { guard: g } = guard();
    assert.deepEqual(
      fail(g, '192.0.2.1', 7).map((r) => r.delayMs),
      [250, 500, 1_000, 2_000, 4_000, 4_000, 4_000],
    );
  });

  it('after reconfigure, judges the failures it remembers by the new limit', () => {
    const { guard: g } = guard({ maxFailures: 10 });
    fail(g, '192.0.2.1', 2);
    g.reconfigure({ maxFailures: 3, windowMs: 10 * MINUTE, banMs: 15 * MINUTE, baseDelayMs: 250, maxDelayMs: 4_000 });
    assert.equal(g.recordFailure('192.0.2.1').banned, true);
    assert.equal(g.isBanned('192.0.2.1'), true);
  });

  it('counts each address on its own', () => {
    const { guard: g } = guard();
    fail(g, '192.0.2.1', 5);
    assert.equal(g.recordFailure('192.0.2.2').delayMs, 250);
  });

  it('bans an address at the maxFailures-th failure, and not before', () => {
    const { guard: g } = guard({ maxFailures: 3 });
    assert.deepEqual(
      fail(g, '192.0.2.1', 3).map((r) => r.banned),
      [false, false, true],
    );
    assert.equal(g.isBanned('192.0.2.1'), true);
    assert.equal(g.isBanned('192.0.2.2'), false);
  });

  it('lifts a ban once banMs have passed, and not a moment before', () => {
    const { guard: g, advance } = guard({ maxFailures: 1 });
    g.recordFailure('192.0.2.1');
    advance(15 * MINUTE - 1);
    assert.equal(g.isBanned('192.0.2.1'), true);
    advance(1);
    assert.equal(g.isBanned('192.0.2.1'), false);
  });

  it('starts counting afresh after a ban', () => {
    const { guard: g, advance } = guard({ maxFailures: 2 });
    fail(g, '192.0.2.1', 2);
    advance(15 * MINUTE);
    assert.deepEqual(g.recordFailure('192.0.2.1'), { delayMs: 250, banned: false });
  });

  it('forgets failures older than the window', () => {
    const { guard: g, advance } = guard({ maxFailures: 3 });
    fail(g, '192.0.2.1', 2);
    advance(10 * MINUTE);
    // The two old failures no longer count: this is the first one again, with the first delay.
    assert.deepEqual(g.recordFailure('192.0.2.1'), { delayMs: 250, banned: false });
    assert.equal(g.recordFailure('192.0.2.1').banned, false);
  });

  it('keeps failures still inside the window', () => {
    const { guard: g, advance } = guard({ maxFailures: 3 });
    g.recordFailure('192.0.2.1');
    advance(5 * MINUTE);
    g.recordFailure('192.0.2.1');
    advance(5 * MINUTE - 1);
    assert.equal(g.recordFailure('192.0.2.1').banned, true);
  });

  it('remembers at most 100,000 addresses, forgetting the one that failed longest ago', () => {
    const { guard: g } = guard();
    fail(g, '192.0.2.1', 3);
    for (let i = 0; i < 100_000; i++) g.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    // Its three failures were evicted, so the next one waits like a first.
    assert.equal(g.recordFailure('192.0.2.1').delayMs, 250);
  });
});
