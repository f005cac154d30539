/**
 * Logins do not leave scrypt's memory behind. Each password check takes
 * 16 MiB in a libuv thread; glibc's dynamic mmap threshold kept that in
 * every thread's arena (64 MiB with the pool's 4 threads, most of what 200
 * idle sessions seemed to cost). With the native addon the threshold is
 * fixed (native/sendfile.c), and the memory goes back after each login.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../src/auth/passwordHash.js';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js';
import { writeUsersFile } from '../../src/auth/UsersFile.js';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const ADDON = path.join(REPO_ROOT, 'native/build/sendfile.node');
/** Logins checked at once: all miss the cache of proved passwords, so each runs scrypt, spread over the pool's threads. */
const LOGINS = 8;

function residentBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(kb, 'VmRSS in /proc/PID/status');
  return Number(kb[1]) * 1024;
}

async function login(port: number): Promise<ControlConnection> {
  const { conn } = await ControlConnection.open(port);
  assert.equal((await conn.send('USER alice')).code, 331);
  assert.equal((await conn.send('PASS secret')).code, 230);
  return conn;
}

const skip = !fs.existsSync(ADDON)
  ? 'the native addon is not built here (no C compiler at install time?)'
  : process.platform !== 'linux'
    ? 'Linux only'
    : false;

describe('memory after logins', { skip }, () => {
  let root: string;
  let server: RunningServer;

  before(async () => {
    root = tempDir();
    const users = path.join(root, 'users.json');
    await writeUsersFile(users, new Map([['alice', { password: await hashPassword('secret'), home: null, permissions: ALL_PERMISSIONS }]]));
    const env = { ...process.env };
    delete env.SOCKFTP_NO_NATIVE;
    server = await startServer(root, ['--users', users, '--log-level', 'warn'], [], env);
  });

  after(async () => {
    await server?.stop();
    removeDir(root);
  });

  it(`${LOGINS} password checks at once leave less than two scrypt blocks resident`, async (t) => {
    const pid = server.process.pid!;
    const before = residentBytes(pid);
    const sessions = await Promise.all(Array.from({ length: LOGINS }, () => login(server.port)));
    t.after(() => sessions.forEach((conn) => conn.close()));
    const grown = residentBytes(pid) - before;
    for (const conn of sessions) conn.close();
    // Without the fixed threshold this is 48-64 MiB (one 16 MiB block per thread that ran scrypt).
    assert.ok(grown < 32 * 1024 * 1024, `resident memory grew by ${(grown / 1048576).toFixed(1)} MiB`);
  });
});
