import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { LoginAuthenticator } from '../../src/auth/LoginAuthenticator.js';
import { hashPassword } from '../../src/auth/passwordHash.js';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js';
import { writeUsersFile } from '../../src/auth/UsersFile.js';
import { removeDir, tempDir } from '../helpers/files.js';

const dir = tempDir();
after(() => removeDir(dir));

async function usersWith(password: string): Promise<string> {
  const file = path.join(dir, 'users.json');
  await writeUsersFile(file, new Map([['dana', { password: await hashPassword(password), home: null, permissions: ALL_PERMISSIONS }]]));
  return file;
}

describe('LoginAuthenticator', () => {
  it('logs in with the right password again and again, and never with a wrong one after it', async () => {
    const auth = await LoginAuthenticator.create(dir, 'off', await usersWith('right one'));
    assert.equal((await auth.authenticate('dana', 'right one'))?.name, 'dana');
    assert.equal((await auth.authenticate('dana', 'right one'))?.name, 'dana');
    assert.equal(await auth.authenticate('dana', 'wrong one'), null);
    assert.equal(await auth.authenticate('dana', 'right one '), null);
    assert.equal(await auth.authenticate('nobody', 'right one'), null);
  });

  it('forgets remembered passwords when the users file is re-read', async () => {
    const file = await usersWith('first');
    const auth = await LoginAuthenticator.create(dir, 'off', file);
    assert.ok(await auth.authenticate('dana', 'first'));
    await usersWith('second');
    await auth.reload();
    assert.equal(await auth.authenticate('dana', 'first'), null);
    assert.ok(await auth.authenticate('dana', 'second'));
    assert.ok(fs.existsSync(file));
  });

  it('gives anonymous users the policy rights only while anonymous is on', async () => {
    const off = await LoginAuthenticator.create(dir, 'off', null);
    assert.equal(await off.authenticate('anonymous', 'x'), null);
    const read = await LoginAuthenticator.create(dir, 'read', null);
    assert.deepEqual([...(await read.authenticate('ftp', 'x'))!.permissions], ['read']);
  });
});
