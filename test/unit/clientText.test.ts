/** The client's pure pieces of text: wildcards, .netrc, progress lines, error lines in both languages, exit codes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientError, toClientError } from '../../src/client/ClientError.js';
import { globToRegExp, hasGlob, splitGlob } from '../../src/client/glob.js';
import { findNetrcEntry, parseNetrc } from '../../src/client/netrc.js';
import { formatDuration, formatProgress, humanBytes } from '../../src/client/repl/ProgressBar.js';
import { EXIT_CODES, exitCodeFor } from '../../src/cli/exitCodes.js';
import { FTPError } from 'basic-ftp';

describe('wildcards', () => {
  it('match as a shell does, a leading dot only literally', () => {
    const log = globToRegExp('*.log');
    assert.ok(log.test('a.log') && log.test('.log.log') === false && !log.test('a.log.gz'));
    assert.ok(globToRegExp('.*.swp').test('.x.swp'));
    assert.ok(globToRegExp('f?[0-9][!a].txt').test('fx7b.txt'));
    assert.ok(!globToRegExp('f?[0-9][!a].txt').test('fx7a.txt'));
    assert.ok(globToRegExp('a+b(1).txt').test('a+b(1).txt'));
  });

  it('are only in the last part of a path, whose directory is listed', () => {
    assert.equal(hasGlob('logs/*.gz'), true);
    assert.equal(hasGlob('we*rd/file'), false);
    assert.deepEqual(splitGlob('logs/2026-*.gz').dir, 'logs');
    assert.deepEqual(splitGlob('*.gz').dir, '');
  });
});

describe('.netrc', () => {
  const text = [
    '# a comment',
    'machine ftp.example.org login alice password "s3cret with space"',
    'machine EXAMPLE.net login bob password b0b',
    'macdef init',
    'cd /pub',
    'binary',
    '',
    'machine example.net login carol password c4rol account x',
    'default login anonymous password guest@',
  ].join('\n');
  const entries = parseNetrc(text);

  it('reads machines, quoted passwords and the default, and skips macros and accounts', () => {
    assert.deepEqual(entries, [
      { machine: 'ftp.example.org', login: 'alice', password: 's3cret with space' },
      { machine: 'EXAMPLE.net', login: 'bob', password: 'b0b' },
      { machine: 'example.net', login: 'carol', password: 'c4rol' },
      { machine: null, login: 'anonymous', password: 'guest@' },
    ]);
  });

  it('finds the first entry for a host, the one for a given login, or the default', () => {
    assert.equal(findNetrcEntry(entries, 'example.net', null)?.login, 'bob');
    assert.equal(findNetrcEntry(entries, 'example.net', 'carol')?.password, 'c4rol');
    assert.equal(findNetrcEntry(entries, 'other.org', null)?.login, 'anonymous');
    assert.equal(findNetrcEntry(entries, 'ftp.example.org', 'mallory'), null);
  });
});

describe('progress lines', () => {
  const state = { name: 'movie.bin', done: 512 * 1024 * 1024, total: 1024 * 1024 * 1024, startAt: 0, elapsedMs: 2000 };

  it('show the name, percentage, bar, bytes, rate and time left within the width', () => {
    const bar = `[${'#'.repeat(15)}${'.'.repeat(14)}]`;
    assert.equal(formatProgress(state, 100, 'ETA'), `${'movie.bin'.padEnd(20)}   50% ${bar}  512.0 MB / 1.00 GB  256.0 MB/s  ETA 0:02`);
    // Narrower: the bar goes first, then the name is shortened.
    assert.equal(formatProgress(state, 70, 'sisa'), `${'movie.bin'.padEnd(20)}   50%  512.0 MB / 1.00 GB  256.0 MB/s  sisa 0:02`);
    assert.equal(formatProgress({ ...state, name: 'a-rather-long-file-name.iso' }, 60, 'ETA'), 'a-rather-...   50%  512.0 MB / 1.00 GB  256.0 MB/s  ETA 0:02');
  });

  it('count only what this transfer moved towards the rate, and do without a total', () => {
    assert.match(formatProgress({ ...state, startAt: 256 * 1024 * 1024 }, 120, 'ETA'), / 128\.0 MB\/s {2}ETA 0:04$/);
    assert.equal(formatProgress({ ...state, total: null }, 120, 'ETA'), 'movie.bin'.padEnd(20) + '  512.0 MB  256.0 MB/s');
  });

  it('write sizes 1024-based and durations as m:ss or h:mm:ss', () => {
    assert.deepEqual([humanBytes(1023), humanBytes(1536), humanBytes(5 * 1024 * 1024)], ['1023 B', '1.50 KB', '5.00 MB']);
    assert.deepEqual([formatDuration(7), formatDuration(754), formatDuration(3723), formatDuration(null)], ['0:07', '12:34', '1:02:03', '--:--']);
  });
});

describe('error lines', () => {
  it('read in English and in Indonesian', () => {
    const err = new ClientError(['a.bin', { problem: 'noLocalFile' }], 'local');
    assert.equal(err.message, 'a.bin: no such local file');
    assert.equal(err.text('id'), 'a.bin: file lokal tidak ada');
    assert.equal(err.within([{ problem: 'cannotConnect', args: ['h:21'] }]).text('id'), 'tidak bisa tersambung ke h:21: a.bin: file lokal tidak ada');
  });

  it('name the file when the server reply does not', () => {
    const reply = (code: number, message: string) => new FTPError({ code, message });
    assert.equal(toClientError(reply(550, '550 No such file or directory.'), { remote: 'dir/a.bin' }).message, '550 No such file or directory. (dir/a.bin)');
    assert.equal(toClientError(reply(550, '550 /dir/a.bin: No such file'), { remote: 'dir/a.bin' }).message, '550 /dir/a.bin: No such file');
    assert.equal(toClientError(reply(530, '530 Login incorrect.')).kind, 'login');
  });

  it('map each kind of failure to its exit code', () => {
    assert.deepEqual((['usage', 'connect', 'login', 'remote', 'local', 'verify', 'interrupted', 'other'] as const).map(exitCodeFor), [
      EXIT_CODES.usage,
      3,
      4,
      5,
      6,
      7,
      1,
      1,
    ]);
  });
});
