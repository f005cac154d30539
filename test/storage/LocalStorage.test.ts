/** What only a disk-backed store must get right: symlinks, temporaries, real errors. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isFileError } from '../../src/core/errors.js';
import { LocalStorage } from '../../src/storage/local/LocalStorage.js';
import { isTempName } from '../../src/storage/local/temporaries.js';
import { removeDir, tempDir } from '../helpers/files.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function setup(): { root: string; outside: string } {
  const base = tempDir();
  dirs.push(base);
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  return { root, outside };
}

const outsideRoot = (err: unknown) => isFileError(err, 'OUTSIDE_ROOT');

describe('LocalStorage', () => {
  it('refuses a symlink that points outside the root', async () => {
    const { root, outside } = setup();
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    fs.symlinkSync(outside, path.join(root, 'dirlink'));
    const s = await LocalStorage.open(root);
    await assert.rejects(s.openRead('/link'), outsideRoot);
    await assert.rejects(s.stat('/dirlink'), outsideRoot);
    await assert.rejects(s.openRead('/dirlink/secret'), outsideRoot);
    await assert.rejects(s.openWrite('/dirlink/new', 'replace'), outsideRoot);
    assert.ok(!fs.existsSync(path.join(outside, 'new')));
  });

  it('follows a symlink that stays inside the root', async () => {
    const { root } = setup();
    fs.writeFileSync(path.join(root, 'real.txt'), 'inside');
    fs.symlinkSync('real.txt', path.join(root, 'alias.txt'));
    const s = await LocalStorage.open(root);
    const chunks: Buffer[] = [];
    for await (const c of await s.openRead('/alias.txt')) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'inside');
  });

  it('deletes a symlink itself, not what it points to', async () => {
    const { root, outside } = setup();
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    const s = await LocalStorage.open(root);
    await s.delete('/link');
    assert.ok(fs.existsSync(path.join(outside, 'secret')));
    assert.ok(!fs.existsSync(path.join(root, 'link')));
  });

  it('keeps upload temporaries out of listings and removes them on abort', async () => {
    const { root } = setup();
    const s = await LocalStorage.open(root);
    const upload = await s.openWrite('/big.bin', 'replace');
    upload.stream.write(Buffer.alloc(1024));
    const onDisk = fs.readdirSync(root);
    assert.equal(onDisk.length, 1);
    assert.ok(isTempName(onDisk[0]), onDisk[0]);
    const listed: string[] = [];
    for await (const page of s.list('/')) listed.push(...page.map((info) => info.name));
    assert.deepEqual(listed, []);
    await upload.abort(false);
    assert.deepEqual(fs.readdirSync(root), []);
  });

  it('keeps the permissions of a file it replaces', async () => {
    const { root } = setup();
    fs.writeFileSync(path.join(root, 'script.sh'), 'old');
    fs.chmodSync(path.join(root, 'script.sh'), 0o750);
    const s = await LocalStorage.open(root);
    const upload = await s.openWrite('/script.sh', 'replace');
    await pipeline(Readable.from([Buffer.from('new')]), upload.stream);
    await upload.commit();
    assert.equal(fs.statSync(path.join(root, 'script.sh')).mode & 0o777, 0o750);
    assert.equal(fs.readFileSync(path.join(root, 'script.sh'), 'utf8'), 'new');
  });

  it('refuses to open a root that is not a directory', async () => {
    const { root } = setup();
    fs.writeFileSync(path.join(root, 'file'), '');
    await assert.rejects(LocalStorage.open(path.join(root, 'file')), (err) => isFileError(err, 'NOT_DIR'));
  });
});
