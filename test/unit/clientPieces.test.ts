import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { candidateName, freeName } from '../../src/core/freeName.js';
import { megabytes } from '../../src/client/repl/messages.js';
import { splitFlags, splitWords } from '../../src/client/repl/parseLine.js';
import { parseFtpUrl, parseHostPort } from '../../src/client/target.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from '../../src/client/repl/history.js';
import { removeDir, tempDir } from '../helpers/files.js';

describe('free names', () => {
  it('follow the original program: base_N.ext', () => {
    assert.equal(candidateName('report.pdf', 1), 'report_1.pdf');
    assert.equal(candidateName('notes', 2), 'notes_2');
    assert.equal(candidateName('.bashrc', 1), '.bashrc_1');
    assert.equal(candidateName('a.tar.gz', 1), 'a.tar_1.gz');
  });

  it('skip every taken name', async () => {
    const taken = new Set(['a.bin', 'a_1.bin', 'a_2.bin']);
    assert.equal(await freeName('a.bin', (n) => taken.has(n)), 'a_3.bin');
    assert.equal(await freeName('b.bin', (n) => taken.has(n)), 'b.bin');
  });
});

describe('shell lines', () => {
  it('split on spaces and keep quoted words whole', () => {
    assert.deepEqual(splitWords('upload "my file.txt"  other'), ['upload', 'my file.txt', 'other']);
    assert.deepEqual(splitWords("rm 'it''s'"), ['rm', 'its']);
    assert.deepEqual(splitWords('rm ""'), ['rm', '']);
    assert.equal(splitWords('rm "open'), null);
  });

  it('take leading flags and stop at --', () => {
    assert.deepEqual(splitFlags(['-f', 'a.bin']), { flags: new Set(['f']), args: ['a.bin'] });
    assert.deepEqual(splitFlags(['--', '-f']), { flags: new Set(), args: ['-f'] });
  });

  it('read a backslash as an escape outside quotes, and words as flags', () => {
    assert.deepEqual(splitWords('upload my\\ file.txt "a\\"b"'), ['upload', 'my file.txt', 'a"b']);
    assert.deepEqual(splitFlags(['-fr', '--verify', 'dir']), { flags: new Set(['f', 'r', 'verify']), args: ['dir'] });
  });
});

describe('history', () => {
  it('is kept oldest first, bounded, 0600, and never with a password from a URL', () => {
    const dir = tempDir();
    const file = path.join(dir, '.sockftp_history');
    const newestFirst = ['open ftp://bob:secret@host', 'ls', ...Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `cd d${i}`)];
    saveHistory(file, newestFirst);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, HISTORY_SIZE + 1);
    assert.equal(lines[HISTORY_SIZE - 1], 'ls');
    assert.deepEqual(loadHistory(file).slice(0, 2), ['ls', 'cd d0']);
    removeDir(dir);
  });
});

describe('targets', () => {
  it('default to localhost:9999', () => {
    assert.deepEqual(parseHostPort(undefined), { host: 'localhost', port: 9999 });
    assert.deepEqual(parseHostPort('example.test'), { host: 'example.test', port: 9999 });
    assert.deepEqual(parseHostPort('[::1]:2121'), { host: '::1', port: 2121 });
    assert.deepEqual(parseHostPort('::1'), { host: '::1', port: 9999 });
    assert.equal(parseHostPort('host:99999'), null);
  });

  it('read ftp URLs with credentials and a path', () => {
    assert.deepEqual(parseFtpUrl('ftp://bob:s%40cret@127.0.0.1:2121/dir/a%20b.txt'), {
      address: { host: '127.0.0.1', port: 2121 },
      implicitTls: false,
      user: 'bob',
      password: 's@cret',
      path: 'dir/a b.txt',
    });
    assert.equal(parseFtpUrl('http://x/'), null);
  });

  it('print sizes in MB with two decimals', () => {
    assert.equal(megabytes(5242880), '5.00');
    assert.equal(megabytes(1536 * 1024), '1.50');
  });
});
