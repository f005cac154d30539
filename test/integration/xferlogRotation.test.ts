/**
 * The xferlog under logrotate (docs/logrotate-sockftp): the file is moved
 * away, SIGHUP makes the server open a new one at the path, and no transfer
 * line is lost or written to the wrong file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import * as os from 'node:os';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { eventually } from '../helpers/eventually.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { hasProgram, run } from '../helpers/processes.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const root = tempDir();
const work = tempDir();
after(() => {
  removeDir(root);
  removeDir(work);
});

const haveLogrotate = await hasProgram('logrotate');

const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n');

/** Logs in anonymously and uploads one file of `bytes` bytes (the session closed after `t` if it fails before QUIT). */
async function upload(t: TestContext, server: RunningServer, name: string, bytes: number): Promise<void> {
  const conn = await ControlConnection.login(server.port);
  t.after(() => conn.close());
  await conn.expect('TYPE I', 200);
  assert.equal((await conn.sendData(`STOR ${name}`, Buffer.alloc(bytes, 'x'))).final.code, 226);
  await conn.expect('QUIT', 221);
  await conn.waitClosed();
}

describe('xferlog rotation', () => {
  it('after the file is moved away and SIGHUP, the next transfers go to a new file at the same path', async (t) => {
    const xferlog = path.join(work, 'xferlog');
    const server = await startServer(root, ['--xferlog', xferlog]);
    t.after(() => server.stop());
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.sendData('STOR before.bin', Buffer.from('12345'))).final.code, 226);
    fs.renameSync(xferlog, `${xferlog}.1`);
    server.process.kill('SIGHUP');
    await server.waitForOutput(/xferlog reopened/);
    assert.equal((await conn.sendData('STOR after.bin', Buffer.from('123'))).final.code, 226);
    await conn.expect('QUIT', 221);
    assert.equal(await server.stop(), 0);
    const rotated = lines(`${xferlog}.1`);
    const current = lines(xferlog);
    assert.equal(rotated.length, 1);
    assert.match(rotated[0], / 5 \/before\.bin b _ i a anonymous ftp 0 \* c$/);
    assert.equal(current.length, 1);
    assert.match(current[0], / 3 \/after\.bin b _ i a anonymous ftp 0 \* c$/);
    assert.equal(fs.statSync(xferlog).mode & 0o777, 0o640);
  });

  it('keeps writing to the open file when the path cannot be opened again, and says so', async (t) => {
    const dir = path.join(work, 'logs');
    fs.mkdirSync(dir);
    const xferlog = path.join(dir, 'xferlog');
    const server = await startServer(root, ['--xferlog', xferlog]);
    t.after(() => server.stop());
    fs.renameSync(dir, `${dir}.gone`);
    server.process.kill('SIGHUP');
    await server.waitForOutput(/ERROR xferlog not reopened/);
    const conn = await ControlConnection.login(server.port);
    t.after(() => conn.close());
    await conn.expect('TYPE I', 200);
    assert.equal((await conn.sendData('STOR still.bin', Buffer.from('1'))).final.code, 226);
    await conn.expect('QUIT', 221);
    assert.equal(await server.stop(), 0);
    assert.match(lines(path.join(`${dir}.gone`, 'xferlog'))[0], / 1 \/still\.bin b _ i a anonymous ftp 0 \* c$/);
  });

  it(
    "docs/logrotate-sockftp rotates a running server's xferlog, and compresses it a rotation later",
    { skip: !haveLogrotate && 'logrotate is not installed' },
    async (t) => {
      const logs = path.join(work, 'rotated');
      fs.mkdirSync(logs);
      const xferlog = path.join(logs, 'xferlog');
      const server = await startServer(root, ['--xferlog', xferlog]);
      t.after(() => server.stop());
      const group = (await run('id', ['-gn'], { timeoutMs: 10_000 })).stdout.trim();
      // The snippet as shipped, on this test's file, as this test's user, signalling this server instead of the unit.
      const config = fs
        .readFileSync(path.join(REPO_ROOT, 'docs/logrotate-sockftp'), 'utf8')
        .replaceAll('/var/log/sockftp/xferlog', xferlog)
        .replace('su sockftp sockftp', `su ${os.userInfo().username} ${group}`)
        .replace('systemctl reload sockftp.service', `kill -HUP ${server.process.pid}`);
      const configFile = path.join(work, 'logrotate.conf');
      fs.writeFileSync(configFile, config);
      const rotate = async (reopened: number) => {
        const result = await run('logrotate', ['--force', '--state', path.join(work, 'logrotate.state'), configFile], { timeoutMs: 20_000 });
        assert.equal(result.code, 0, result.stderr);
        await server.waitForOutput((text) => (text.match(/xferlog reopened/g) ?? []).length === reopened);
      };
      await upload(t, server, 'one.bin', 1);
      await rotate(1);
      await upload(t, server, 'two.bin', 2);
      // The xferlog is written after the 226, asynchronously: wait for each line rather than read at once.
      await lineIn(`${xferlog}.1`, / 1 \/one\.bin b _ i a anonymous ftp 0 \* c$/m);
      await lineIn(xferlog, / 2 \/two\.bin b _ i a anonymous ftp 0 \* c$/m);
      await rotate(2);
      await upload(t, server, 'three.bin', 3);
      assert.equal(await server.stop(), 0);
      assert.deepEqual(fs.readdirSync(logs).sort(), ['xferlog', 'xferlog.1', 'xferlog.2.gz']);
      assert.match(lines(`${xferlog}.1`).join('\n'), /^[^\n]* 2 \/two\.bin b _ i a anonymous ftp 0 \* c$/);
      assert.match(lines(xferlog).join('\n'), /^[^\n]* 3 \/three\.bin b _ i a anonymous ftp 0 \* c$/);
    },
  );
});

/** Resolves once `file` holds a line matching `pattern`; fails with what it holds after a bounded wait. */
function lineIn(file: string, pattern: RegExp): Promise<void> {
  const text = () => (fs.existsSync(file) ? lines(file).join('\n') : '');
  return eventually(() => pattern.test(text()), { what: `a line matching ${pattern} in ${file}`, detail: text });
}
