import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/auth/passwordHash.js';
import { ALL_PERMISSIONS, READ_ONLY } from '../../src/auth/permissions.js';
import { UsersFileError, readUsersFile, writeUsersFile, type UserRecord } from '../../src/auth/UsersFile.js';
import { removeDir, tempDir } from '../helpers/files.js';

let dir = '';
let hash = '';
before(async () => {
  dir = tempDir();
  hash = await hashPassword('secret');
});
after(() => removeDir(dir));

let fileNumber = 0;
/** A users file with this text, under a name of its own. */
function usersFile(text: string | (() => string)): string {
  const file = path.join(dir, `users-${fileNumber++}.json`);
  fs.writeFileSync(file, typeof text === 'string' ? text : text());
  return file;
}

/** A file with one account, alice, valid but for `fields`; a function, because the hash is made in before(). */
const entry = (fields: Record<string, unknown>) => () => JSON.stringify({ users: { alice: { password: hash, home: null, permissions: ['read'], ...fields } } });

describe('readUsersFile', () => {
  it('reads accounts with their hash, home and permissions', async () => {
    const file = usersFile(
      JSON.stringify({
        users: {
          alice: { password: hash, home: '/srv/alice', permissions: ['read', 'write', 'delete', 'mkdir', 'rename'] },
          bob: { password: hash, home: null, permissions: ['read'] },
        },
      }),
    );
    const users = await readUsersFile(file);
    assert.deepEqual([...users.keys()], ['alice', 'bob']);
    assert.deepEqual(users.get('alice'), { password: hash, home: '/srv/alice', permissions: ALL_PERMISSIONS });
    assert.deepEqual(users.get('bob'), { password: hash, home: null, permissions: READ_ONLY });
  });

  it('takes a missing home as the served root', async () => {
    const users = await readUsersFile(usersFile(JSON.stringify({ users: { alice: { password: hash, permissions: [] } } })));
    assert.equal(users.get('alice')!.home, null);
  });

  for (const [what, text, problem] of [
    ['is not JSON', '{"users": {', /not valid JSON/],
    ['is JSON null', 'null', /expected \{"users"/],
    ['has "users" as a list', '{"users": []}', /expected \{"users"/],
    ['has no "users"', '{"accounts": {}}', /expected \{"users"/],
    ['has an entry that is not an object', '{"users": {"alice": "secret"}}', /user "alice": expected an object/],
    ['has a user name with a slash', JSON.stringify({ users: { '../alice': {} } }), /user "\.\.\/alice": names may use/],
    ['has a user name with a newline', JSON.stringify({ users: { 'alice\nroot': {} } }), /names may use/],
    ['has a plain-text password', entry({ password: 'secret' }), /"password" must be a scrypt hash/],
    ['has no password', entry({ password: undefined }), /"password" must be a scrypt hash/],
    ['has a relative home', entry({ home: 'srv/alice' }), /"home" must be an absolute path, a location such as s3:\/\/bucket\/prefix, or null/],
    ['has a home that is not a string', entry({ home: 42 }), /"home" must be an absolute path, a location such as s3:\/\/bucket\/prefix, or null/],
    ['has an unknown permission', entry({ permissions: ['read', 'admin'] }), /"permissions" must be a list of/],
    ['has permissions that are not a list', entry({ permissions: 'rw' }), /"permissions" must be a list of/],
  ] as const) {
    it(`refuses a file that ${what}, naming the file in one line`, async () => {
      const file = usersFile(text);
      await assert.rejects(readUsersFile(file), (err: Error) => {
        assert.ok(err instanceof UsersFileError);
        assert.ok(err.message.startsWith(`users file ${file}: `), err.message);
        assert.match(err.message, problem);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    });
  }

  it('refuses a file that does not exist with "no such file"', async () => {
    const file = path.join(dir, 'missing.json');
    await assert.rejects(readUsersFile(file), { name: 'UsersFileError', message: `users file ${file}: no such file` });
  });

  it('does not echo a plain-text password back in its error', async () => {
    await assert.rejects(readUsersFile(usersFile(entry({ password: 'hunter2' }))), (err: Error) => !err.message.includes('hunter2'));
  });
});

describe('writeUsersFile', () => {
  const users = (): Map<string, UserRecord> =>
    new Map([
      ['zed', { password: hash, home: '/srv/zed', permissions: READ_ONLY }],
      ['amy', { password: hash, home: null, permissions: ALL_PERMISSIONS }],
    ]);

  it('writes a file that reads back the same, users sorted by name', async () => {
    const file = path.join(dir, 'written.json');
    await writeUsersFile(file, users());
    assert.deepEqual(await readUsersFile(file), new Map([...users()].sort()));
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { users: Record<string, unknown> };
    assert.deepEqual(Object.keys(written.users), ['amy', 'zed']);
  });

  it('makes the file readable by its owner only', async () => {
    const file = path.join(dir, 'private.json');
    await writeUsersFile(file, users());
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('replaces an existing file whole and leaves no temporary beside it', async () => {
    const own = fs.mkdtempSync(path.join(dir, 'replace-'));
    const file = path.join(own, 'users.json');
    fs.writeFileSync(file, 'old content that is not even JSON');
    await writeUsersFile(file, users());
    assert.deepEqual(fs.readdirSync(own), ['users.json']);
    assert.equal((await readUsersFile(file)).size, 2);
  });

  it('leaves no temporary behind when the rename fails', async () => {
    const own = fs.mkdtempSync(path.join(dir, 'fail-'));
    // A directory where the file should be: rename(2) of a file over it fails.
    const file = path.join(own, 'users.json');
    fs.mkdirSync(file);
    await assert.rejects(writeUsersFile(file, users()));
    assert.deepEqual(fs.readdirSync(own), ['users.json']);
    assert.ok(fs.statSync(file).isDirectory());
  });
});
