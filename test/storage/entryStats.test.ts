/**
 * A directory's entries with their lstat, both ways: the native
 * getdents64 + fstatat batch (native/sendfile.c, readdirStat) and Node's
 * opendir + lstat give the same FileInfo, and both agree with Node's own
 * lstat, for files, directories, symlinks (dangling ones too) and odd names,
 * across many batches, and a failure comes out as Node's system error.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileInfo } from '../../src/core/FileInfo.js';
import { addon } from '../../src/native/addon.js';
import { readEntries, toFileInfo } from '../../src/storage/local/entryStats.js';
import { removeDir, tempDir } from '../helpers/files.js';

const ODD = ['plain.txt', 'sub dir', 'link-to-plain', 'dangling', 'naïve ünïcode.bin', 'x'.repeat(255)];
const MANY = 3000;
const NATIVE = addon?.readdirStat ? false : 'the native addon is not built here';

describe('reading a directory with its lstat', () => {
  let odd: string;
  let many: string;

  before(() => {
    const root = tempDir('entry-stats');
    odd = path.join(root, 'odd');
    many = path.join(root, 'many');
    fs.mkdirSync(odd);
    fs.mkdirSync(many);
    const at = (name: string) => path.join(odd, name);
    fs.writeFileSync(at('plain.txt'), 'twelve bytes');
    fs.mkdirSync(at('sub dir'));
    fs.symlinkSync('plain.txt', at('link-to-plain'));
    fs.symlinkSync('nowhere', at('dangling'));
    fs.writeFileSync(at('naïve ünïcode.bin'), Buffer.alloc(70_000));
    fs.writeFileSync(at('x'.repeat(255)), '');
    fs.chmodSync(at('plain.txt'), 0o640);
    fs.utimesSync(at('plain.txt'), new Date('2001-02-03T04:05:06.789Z'), new Date('2001-02-03T04:05:06.789Z'));
    // 0.7 ms past a millisecond, which Node rounds up: whatever the clock's phase on this boot, one
    // entry shows whether both paths round alike (truncating gives .456, Node gives .457).
    fs.utimesSync(at('naïve ünïcode.bin'), 981173106.4567, 981173106.4567);
    for (let i = 0; i < MANY; i++) fs.writeFileSync(path.join(many, `entry-${i}`), 'y'.repeat(i % 97));
  });
  after(() => removeDir(path.dirname(odd)));

  /** Every batch of `dir`, read through a descriptor of its own. */
  async function batches(dir: string, native: boolean): Promise<FileInfo[][]> {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      const at = (name: string) => path.join(dir, name);
      const reader = await readEntries({ fd, at, lookAt: at }, native ? undefined : null);
      const all: FileInfo[][] = [];
      for (let batch = await reader.next(); batch !== null; batch = await reader.next()) all.push(batch);
      await reader.close();
      return all;
    } finally {
      fs.closeSync(fd);
    }
  }

  const byName = (infos: FileInfo[]) => [...infos].sort((a, b) => (a.name < b.name ? -1 : 1));
  const expected = (dir: string) => byName(fs.readdirSync(dir).map((name) => toFileInfo(name, fs.lstatSync(path.join(dir, name)))));

  it('in JavaScript, is what Node says of each entry, links as links, in batches of at most 256', async () => {
    const infos = byName((await batches(odd, false)).flat());
    assert.deepEqual(infos, expected(odd));
    assert.deepEqual(
      infos.map((i) => i.name),
      [...ODD].sort(),
    );
    const plain = infos.find((i) => i.name === 'plain.txt')!;
    assert.deepEqual([plain.mode, plain.size, plain.mtime.toISOString()], [0o640, 12, '2001-02-03T04:05:06.789Z']);
    assert.equal(infos.find((i) => i.name === 'naïve ünïcode.bin')!.mtime.toISOString(), '2001-02-03T04:05:06.457Z');
    assert.deepEqual(
      infos.filter((i) => i.type === 'link').map((i) => i.name),
      ['dangling', 'link-to-plain'],
    );
    const read = await batches(many, false);
    assert.deepEqual(byName(read.flat()), expected(many));
    assert.ok(read.every((b) => b.length <= 256) && read.length >= MANY / 256, `${read.length} batches`);
  });

  it('natively, gives exactly what JavaScript gives, every entry once across several batches', { skip: NATIVE }, async () => {
    assert.deepEqual(byName((await batches(odd, true)).flat()), expected(odd));
    const read = await batches(many, true);
    assert.ok(read.length > 1, `${read.length} batch`);
    assert.deepEqual(byName(read.flat()), expected(many));
  });

  it("natively, turns a failed getdents64 into Node's system error (ENOTDIR for a file's descriptor)", { skip: NATIVE }, async () => {
    const fd = fs.openSync(path.join(odd, 'plain.txt'), 'r');
    try {
      const at = (name: string) => path.join(odd, name);
      const reader = await readEntries({ fd, at, lookAt: at });
      await assert.rejects(reader.next(), { code: 'ENOTDIR', syscall: 'getdents64' });
    } finally {
      fs.closeSync(fd);
    }
  });
});
