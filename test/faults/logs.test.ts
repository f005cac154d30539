/**
 * Logs and accounting: one JSON event per session start and end and per
 * transfer, the xferlog file, and no password anywhere.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ControlConnection } from '../helpers/ControlConnection.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { startServer } from '../helpers/server.js';
import { events, waitForEvents } from './support.js';

const PASSWORD = 'correct horse battery staple 42';

describe('logs', () => {
  it('record sessions and transfers in JSON and xferlog form, and never a password', async (t) => {
    const root = tempDir();
    const work = tempDir();
    t.after(() => {
      removeDir(root);
      removeDir(work);
    });
    const usersFile = path.join(work, 'users.json');
    const xferlog = path.join(work, 'xferlog');
    const added = await run(process.execPath, [CLI, 'user', 'add', 'carol', '--users', usersFile], { env: { ...process.env, SOCKFTP_PASSWORD: PASSWORD } });
    assert.equal(added.code, 0, added.stderr);
    const server = await startServer(root, ['--users', usersFile, '--xferlog', xferlog, '--log-format', 'json', '--log-level', 'trace']);
    t.after(() => server.stop());
    const { conn: guess } = await ControlConnection.open(server.port);
    t.after(() => guess.close());
    await guess.expect('USER carol', 331);
    await guess.expect('PASS wrong guess', 530);
    await guess.expect('QUIT', 221);
    const { conn: carol } = await ControlConnection.open(server.port);
    t.after(() => carol.close());
    await carol.expect('USER carol', 331);
    await carol.expect(`PASS ${PASSWORD}`, 230);
    await carol.expect('TYPE I', 200);
    assert.equal((await carol.sendData('STOR report one.txt', Buffer.from('0123456789'))).final.code, 226);
    assert.equal((await carol.receive('RETR report one.txt')).final.code, 226);
    await carol.expect('QUIT', 221);
    await waitForEvents(server, 'connection closed', 2);

    const transfers = events(server, 'transfer');
    assert.deepEqual(
      transfers.map((e) => [e.user, e.path, e.direction, e.bytes, e.result]),
      [
        ['carol', '/report one.txt', 'upload', 10, 'ok'],
        ['carol', '/report one.txt', 'download', 10, 'ok'],
      ],
    );
    const closed = events(server, 'connection closed').find((e) => e.user === 'carol');
    assert.match(String(closed?.client), /^127\.0\.0\.1:\d+$/);
    assert.equal(typeof closed?.durationMs, 'number');
    assert.equal(events(server, 'connection opened').length, 2);

    await server.stop();
    const lines = fs.readFileSync(xferlog, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ 127\.0\.0\.1 10 \/report_one\.txt b _ i r carol ftp 0 \* c$/);
    assert.match(lines[1], / 10 \/report_one\.txt b _ o r carol ftp 0 \* c$/);
    assert.ok(!server.output().includes(PASSWORD), 'the password appeared in the log');
    assert.ok(!server.output().includes('test@'), 'the anonymous password appeared in the log');
  });
});
