/**
 * `sockftp connect` run as a process with a piped session, the way a script
 * uses it: output lines and exit codes, in English and Indonesian, against
 * our server. test/interop/client-peers.test.ts runs it against other servers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { MiB, randomFile, removeDir, sha256File, tempDir } from '../helpers/files.js';
import { CLI } from '../helpers/paths.js';
import { run } from '../helpers/processes.js';
import { useServer } from '../helpers/fixture.js';

function client(target: string, script: string[], cwd: string, ...args: string[]) {
  return run(process.execPath, [CLI, 'connect', target, ...args], { cwd, input: script.join('\n') + '\n' });
}

const lines = (out: string) => out.split('\n').filter(Boolean);

describe('the client against sockftp', () => {
  const f = useServer();
  let sum: string;

  before(() => {
    sum = randomFile(path.join(f.work, 'a.bin'), 5 * MiB);
  });

  it('runs the seven original commands in English', async () => {
    const result = await client(
      `127.0.0.1:${f.server.port}`,
      ['ls', 'upload a.bin', 'upload a.bin', 'ls', 'size a.bin', 'download a.bin', 'rm a_1.bin', 'connme', 'ls', 'byebye'],
      f.work,
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, '');
    const out = lines(result.stdout);
    assert.deepEqual(out, [
      `Connected to 127.0.0.1:${f.server.port}`,
      '(empty)',
      'Uploaded a.bin (5242880 bytes)',
      'Uploaded as a_1.bin (5242880 bytes): a.bin already exists',
      out[4],
      out[5],
      '5.00 MB (5242880 bytes)',
      'Downloaded as a_1.bin (5242880 bytes): a.bin already exists here',
      'Deleted a_1.bin',
      'Connection closed',
      `New connection to 127.0.0.1:${f.server.port}`,
      out[11],
      'Bye',
    ]);
    assert.match(out[4], /^ +5242880 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}a\.bin$/);
    assert.match(out[5], /^ +5242880 .* a_1\.bin$/);
    assert.match(out[11], / a\.bin$/);
    assert.deepEqual(fs.readdirSync(f.root), ['a.bin']);
    assert.equal(await sha256File(path.join(f.root, 'a.bin')), sum);
    assert.equal(await sha256File(path.join(f.work, 'a_1.bin')), sum);
    fs.rmSync(path.join(f.work, 'a_1.bin'));
  });

  it('speaks the original Indonesian messages with --lang id', async () => {
    const result = await client(
      `127.0.0.1:${f.server.port}`,
      ['upload a.bin', 'size a.bin', 'download a.bin', 'rm a_1.bin', 'rm a_1.bin', 'connme', 'byebye'],
      f.work,
      '--lang',
      'id',
    );
    assert.deepEqual(lines(result.stdout), [
      `Tersambung ke 127.0.0.1:${f.server.port}`,
      'File Berhasil Dibuat: a_1.bin (5242880 byte), karena a.bin sudah ada',
      '5.00 MB (5242880 byte)',
      'File Berhasil Dibuat: a_1.bin (5242880 byte), karena a.bin sudah ada',
      'File Berhasil Dihapus',
      'File Tidak Ditemukan',
      'Koneksi Ditutup',
      'Koneksi Baru Tersambung',
      'Sampai Jumpa',
    ]);
    // The second rm failed, so the script as a whole failed.
    assert.equal(result.code, 1);
    fs.rmSync(path.join(f.work, 'a_1.bin'));
  });

  it('replaces with -f and keeps directories with cd, pwd, mkdir, mv and rmdir', async () => {
    const result = await client(
      `127.0.0.1:${f.server.port}`,
      ['mkdir docs', 'cd docs', 'pwd', 'upload a.bin', 'upload -f a.bin', 'mv a.bin b.bin', 'rm b.bin', 'cd ..', 'rmdir docs', 'byebye'],
      f.work,
    );
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(lines(result.stdout).slice(1), [
      'Created directory docs',
      'Now in /docs',
      '/docs',
      'Uploaded a.bin (5242880 bytes)',
      'Uploaded a.bin (5242880 bytes)',
      'Renamed a.bin to b.bin',
      'Deleted b.bin',
      'Now in /',
      'Removed directory docs',
      'Bye',
    ]);
  });

  it('exits 1 with one line per failure, and goes on after it', async () => {
    const result = await client(`127.0.0.1:${f.server.port}`, ['size missing.bin', 'frobnicate', 'upload', 'upload nothere.bin', 'pwd'], f.work);
    assert.equal(result.code, 1);
    const out = lines(result.stdout);
    assert.equal(out.length, 6, result.stdout);
    assert.match(out[1], /^Error: 550 .*missing\.bin/);
    assert.equal(out[2], 'Unknown command: frobnicate (type help)');
    assert.equal(out[3], 'Usage: upload [-f|-c] [-r] [--verify] FILE [REMOTE]');
    assert.match(out[4], /^Error: nothere\.bin: no such local file$/);
    assert.equal(out[5], '/');
  });

  it('resumes a cut download with download -c', async () => {
    const part = fs.readFileSync(path.join(f.work, 'a.bin')).subarray(0, 1000);
    const local = tempDir();
    fs.writeFileSync(path.join(local, 'a.bin.part'), part);
    const result = await client(`127.0.0.1:${f.server.port}`, ['download -c a.bin', 'byebye'], local);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(lines(result.stdout)[1], `Downloaded a.bin (${5 * MiB - 1000} bytes)`);
    assert.equal(await sha256File(path.join(local, 'a.bin')), sum);
    assert.deepEqual(fs.readdirSync(local), ['a.bin']);
    removeDir(local);
  });

  it('prints one line and exits 1 when it cannot connect', async () => {
    const result = await client('127.0.0.1:1', ['ls'], f.work);
    assert.equal(result.code, 1);
    assert.deepEqual(lines(result.stdout), ['Error: cannot connect to 127.0.0.1:1: connection refused']);
  });

  it('refuses a malformed target with one line on stderr', async () => {
    const result = await client('host:notaport', [], f.work);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'sockftp: "host:notaport" is not HOST, HOST:PORT or an ftp:// or ftps:// URL\n');
  });
});
