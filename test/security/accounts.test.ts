/**
 * Accounts from a users file (`sockftp user add`): read-only permissions,
 * homes that confine their users (also homes outside the served root), the
 * file re-read on SIGHUP without dropping sessions, anonymous login by
 * policy, and a bad file refused at start.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { HELLO, addUser, assertNoSecret, inSession, loginAttempt, loginFrom, sockftp, useHostileServer, watchOutput, type Sandbox } from './support.js';

const PASSWORDS = { reader: 'reader-pass-1', alice: 'alice-pass-2', bob: 'bob-pass-3', carol: 'carol-pass-4' } as const;
const BOB_SECRET = 'BOB-ONLY-do-not-show-alice';

let usersFile = '';

/** reader: read-only, home the served root; alice and bob: read-write, each a home of their own outside the root. */
async function accounts(sandbox: Sandbox): Promise<string[]> {
  usersFile = path.join(sandbox.config, 'users.json');
  for (const name of ['alice', 'bob'] as const) fs.mkdirSync(path.join(sandbox.homes, name));
  fs.writeFileSync(path.join(sandbox.homes, 'alice', 'alice.txt'), 'alice');
  fs.writeFileSync(path.join(sandbox.homes, 'bob', 'bob-secret.txt'), BOB_SECRET);
  await addUser(usersFile, 'reader', { password: PASSWORDS.reader, perms: 'r' });
  await addUser(usersFile, 'alice', { password: PASSWORDS.alice, home: path.join(sandbox.homes, 'alice') });
  await addUser(usersFile, 'bob', { password: PASSWORDS.bob, home: path.join(sandbox.homes, 'bob') });
  return ['--users', usersFile, '--anonymous', 'off'];
}

const fx = useHostileServer({ args: accounts, normalClient: { user: 'reader', password: PASSWORDS.reader } });

const login = (user: keyof typeof PASSWORDS) => loginFrom('127.0.0.1', fx.server.port, user, PASSWORDS[user]);

const as = <T>(user: keyof typeof PASSWORDS, act: (conn: ControlConnection) => Promise<T>): Promise<T> => inSession(login(user), act);

/** Names, modes and contents of the served root (links not followed), to show a refused command changed nothing there either. */
function rootState(dir = fx.sandbox.root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    const line = `${path.relative(fx.sandbox.root, full)} ${fs.lstatSync(full).mode.toString(8)}`;
    if (entry.isDirectory()) return [line, ...rootState(full)];
    return [entry.isFile() ? `${line} ${fs.readFileSync(full, 'latin1')}` : line];
  });
}

describe('an account with read permission only', () => {
  for (const [what, command] of [
    ['STOR', (c: ControlConnection) => c.sendData('STOR new.txt', Buffer.from('x')).then((r) => r.final)],
    ['STOR over an existing file', (c: ControlConnection) => c.sendData('STOR hello.txt', Buffer.from('x')).then((r) => r.final)],
    ['APPE', (c: ControlConnection) => c.sendData('APPE hello.txt', Buffer.from('x')).then((r) => r.final)],
    ['STOU', (c: ControlConnection) => c.sendData('STOU', Buffer.from('x')).then((r) => r.final)],
    ['DELE', (c: ControlConnection) => c.send('DELE hello.txt')],
    ['MKD', (c: ControlConnection) => c.send('MKD newdir')],
    ['RMD', (c: ControlConnection) => c.send('RMD sub')],
    ['RNFR', (c: ControlConnection) => c.send('RNFR hello.txt')],
    ['SITE CHMOD', (c: ControlConnection) => c.send('SITE CHMOD 777 hello.txt')],
    ['MFMT', (c: ControlConnection) => c.send('MFMT 20000101000000 hello.txt')],
  ] as const) {
    it(`gets 550 for ${what}, and the root is unchanged`, async () => {
      const before = rootState();
      const reply = await as('reader', command);
      assert.equal(reply.code, 550);
      assert.deepEqual(rootState(), before);
      await fx.assertUnharmed();
    });
  }

  it('still downloads and lists', async () => {
    await as('reader', async (conn) => {
      await conn.expect('TYPE I', 200);
      assert.equal((await conn.receive('RETR hello.txt')).data.toString(), HELLO);
      assert.match((await conn.receive('NLST')).data.toString(), /hello\.txt/);
    });
    await fx.assertUnharmed();
  });
});

describe('an account with a home of its own', () => {
  it('sees its home as "/" and only what is in it', async () => {
    await as('alice', async (conn) => {
      assert.match((await conn.expect('PWD', 257)).text, /^"\/"/);
      assert.deepEqual((await conn.receive('NLST')).data.toString().split('\r\n').filter(Boolean), ['alice.txt']);
    });
    await fx.assertUnharmed();
  });

  for (const [what, target] of [
    ["another account's home through ..", '../bob/bob-secret.txt'],
    ["another account's home through backslashes", '..\\bob\\bob-secret.txt'],
    ["another account's home by its host path", (sandbox: Sandbox) => path.join(sandbox.homes, 'bob', 'bob-secret.txt')],
    ['the served root through ..', '../../root/hello.txt'],
  ] as const) {
    it(`cannot read ${what}: 550`, async () => {
      const file = typeof target === 'string' ? target : target(fx.sandbox);
      await as('alice', async (conn) => {
        await conn.expect('TYPE I', 200);
        const r = await conn.receive(`RETR ${file}`);
        assert.equal(r.final.code, 550);
        assertNoSecret(r.data);
        assert.ok(!r.data.toString().includes(BOB_SECRET));
        assert.equal((await conn.send(`CWD ${path.posix.dirname(file.replaceAll('\\', '/'))}`)).code, 550);
      });
      await fx.assertUnharmed();
    });
  }

  it('stores "../escaped.txt" in its own home', async () => {
    await as('alice', async (conn) => assert.equal((await conn.sendData('STOR ../escaped.txt', Buffer.from('x'))).final.code, 226));
    const stored = path.join(fx.sandbox.homes, 'alice', 'escaped.txt');
    assert.ok(fs.existsSync(stored));
    fs.rmSync(stored);
    assert.deepEqual(fs.readdirSync(fx.sandbox.homes).sort(), ['alice', 'bob']);
    await fx.assertUnharmed();
  });
});

describe('anonymous login with --anonymous off', () => {
  for (const name of ['anonymous', 'ftp']) {
    it(`refuses "${name}" with 530, like any unknown user`, async () => {
      assert.equal(await loginAttempt('127.0.0.61', fx.server.port, name, 'guest@'), 530);
      await fx.assertUnharmed();
    });
  }
});

/** Sends SIGHUP and waits until the server has printed `message` once more. */
async function reload(message: string): Promise<void> {
  const printed = watchOutput(fx.server, message);
  fx.server.process.kill('SIGHUP');
  await printed();
}

describe('SIGHUP', () => {
  it('re-reads the users file while a session stays logged in', async () => {
    await as('alice', async (alice) => {
      await addUser(usersFile, 'carol', { password: PASSWORDS.carol });
      await reload('users file re-read');
      (await login('carol')).close();
      // The session that was logged in before the signal goes on as it was.
      assert.match((await alice.expect('PWD', 257)).text, /^"\/"/);
      assert.equal((await alice.receive('RETR alice.txt')).data.toString(), 'alice');
    });
    await fx.assertUnharmed();
  });

  it('keeps the accounts it has when the file has become broken, and logs an error', async () => {
    const good = fs.readFileSync(usersFile);
    try {
      await as('alice', async (alice) => {
        fs.writeFileSync(usersFile, '{"users": {"alice": ');
        await reload('ERROR users file not re-read');
        (await login('bob')).close();
        await alice.expect('NOOP', 200);
      });
    } finally {
      fs.writeFileSync(usersFile, good);
    }
    await fx.assertUnharmed();
  });

  it('stops new logins of an account taken out of the file', async () => {
    await addUser(usersFile, 'dave', { password: 'dave-pass-5' });
    await reload('users file re-read');
    assert.equal(await loginAttempt('127.0.0.62', fx.server.port, 'dave', 'dave-pass-5'), 230);
    const data = JSON.parse(fs.readFileSync(usersFile, 'utf8')) as { users: Record<string, unknown> };
    delete data.users.dave;
    fs.writeFileSync(usersFile, JSON.stringify(data));
    await reload('users file re-read');
    assert.equal(await loginAttempt('127.0.0.62', fx.server.port, 'dave', 'dave-pass-5'), 530);
    await fx.assertUnharmed();
  });
});

describe('a users file that cannot be used', () => {
  let dir = '';
  before(() => {
    dir = tempDir();
  });
  after(() => removeDir(dir));

  for (const [what, content] of [
    ['does not exist', null],
    ['is a directory', 'directory'],
    ['is not JSON', '{"users": '],
    ['has no "users" object', '{"accounts": {}}'],
    ['has a plain-text password', '{"users": {"eve": {"password": "hunter2", "home": null, "permissions": ["read"]}}}'],
    ['has a user name with a space', '{"users": {"eve smith": {"password": "x", "home": null, "permissions": ["read"]}}}'],
    ['has a relative home', '{"users": {"eve": {"password": "x", "home": "srv/eve", "permissions": ["read"]}}}'],
    ['has an unknown permission', '{"users": {"eve": {"password": "x", "home": null, "permissions": ["root"]}}}'],
  ] as const) {
    it(`stops the server at start with one line when it ${what}`, async () => {
      const file = path.join(dir, `${what.replaceAll(' ', '-')}.json`);
      if (content === 'directory') fs.mkdirSync(file);
      else if (content !== null) fs.writeFileSync(file, content);
      const result = await sockftp(['serve', dir, '--port', '0', '--users', file]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^sockftp: [^\n]+\n$/);
      assert.ok(result.stderr.startsWith(`sockftp: users file ${file}`), result.stderr);
      assert.equal(result.stdout, '');
      assert.doesNotMatch(result.stderr, /hunter2/);
    });
  }
});

describe('anonymous login with --anonymous read', () => {
  const readOnly = useHostileServer({ args: ['--anonymous', 'read'] });

  it('downloads but gets 550 for STOR', async () => {
    await inSession(loginFrom('127.0.0.1', readOnly.server.port), async (conn) => {
      assert.equal((await conn.receive('RETR hello.txt')).final.code, 226);
      assert.equal((await conn.sendData('STOR new.txt', Buffer.from('x'))).final.code, 550);
    });
    assert.equal(fs.existsSync(path.join(readOnly.sandbox.root, 'new.txt')), false);
    await readOnly.assertUnharmed();
  });
});
