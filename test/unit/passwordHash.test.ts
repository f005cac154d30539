import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DECOY_HASH, hashPassword, isPasswordHash, verifyPassword } from '../../src/auth/passwordHash.js';

describe('password hashes', () => {
  it('verify the password they were made from, and no other', async () => {
    const hash = await hashPassword('correct horse');
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horse ', hash), false);
    assert.equal(await verifyPassword('Correct horse', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('are salted: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    assert.notEqual(a, b);
  });

  it('are stored as scrypt:N:r:p:salt:hash and never hold the password', async () => {
    const hash = await hashPassword('visible?');
    assert.match(hash, /^scrypt:16384:8:1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!hash.includes('visible'));
  });

  it('treat a composed and a decomposed "é" as the same password (NFC)', async () => {
    const hash = await hashPassword('caf\u00e9');
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  it('include a decoy that is a valid hash no password matches', async () => {
    assert.equal(isPasswordHash(DECOY_HASH), true);
    for (const guess of ['', 'password', 'anonymous', '\0']) assert.equal(await verifyPassword(guess, DECOY_HASH), false);
  });

  for (const [what, encoded] of [
    ['a plain-text password', 'hunter2'],
    ['another algorithm', 'bcrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a part missing', 'scrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA=='],
    ['a cost that is not a power of two', 'scrypt:16385:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a cost so high one login would take gigabytes', 'scrypt:4194304:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a block size out of bounds', 'scrypt:16384:64:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a parallelism out of bounds', 'scrypt:16384:8:99:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a salt too short', 'scrypt:16384:8:1:AAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a hash too short', 'scrypt:16384:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAA'],
  ] as const) {
    it(`refuse ${what}: not a hash, and verifying against it fails`, async () => {
      assert.equal(isPasswordHash(encoded), false);
      assert.equal(await verifyPassword('hunter2', encoded), false);
    });
  }
});
