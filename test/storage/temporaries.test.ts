/** The start-up sweep of upload temporaries a crash left: what it removes, what it keeps, where it stops. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { newTempName, removeTemporaries } from '../../src/storage/local/temporaries.js';
import { removeDir, tempDir } from '../helpers/files.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

function tree(): string {
  const root = tempDir();
  dirs.push(root);
  return root;
}

const anHourAgo = new Date(Date.now() - 3_600_000);

function leftover(file: string): string {
  fs.writeFileSync(file, 'half an upload');
  fs.utimesSync(file, anHourAgo, anHourAgo);
  return file;
}

describe('removeTemporaries', () => {
  it('removes old temporaries at every depth, among more entries than one turn of the event loop reads', async () => {
    const root = tree();
    const deep = path.join(root, 'a', 'b');
    fs.mkdirSync(deep, { recursive: true });
    for (let i = 0; i < 2_500; i++) fs.writeFileSync(path.join(root, 'a', `file-${i}.txt`), '');
    const left = [leftover(path.join(root, newTempName())), leftover(path.join(deep, newTempName()))];
    const result = await removeTemporaries(root);
    assert.deepEqual(result, { removed: 2, complete: true });
    for (const file of left) assert.equal(fs.existsSync(file), false);
    assert.equal(fs.readdirSync(path.join(root, 'a')).length, 2_501);
  });

  it('keeps a temporary written since the start, files with other names, and what a symlink points to', async () => {
    const root = tree();
    const outside = tree();
    const young = path.join(root, newTempName());
    fs.writeFileSync(young, 'another server is writing this');
    const lookalike = leftover(path.join(root, '.sockftp-0123.tmp'));
    const beyondLink = leftover(path.join(outside, newTempName()));
    fs.symlinkSync(outside, path.join(root, 'link'));
    const result = await removeTemporaries(root, undefined, Date.now() - 60_000);
    assert.deepEqual(result, { removed: 0, complete: true });
    for (const file of [young, lookalike, beyondLink]) assert.equal(fs.existsSync(file), true);
  });

  it('stops at the entry limit and says the walk was cut', async () => {
    const root = tree();
    for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(root, `file-${i}.txt`), '');
    assert.deepEqual(await removeTemporaries(root, 5), { removed: 0, complete: false });
    assert.deepEqual(await removeTemporaries(root, 10), { removed: 0, complete: true });
  });

  it('passes over a root that is not there', async () => {
    assert.deepEqual(await removeTemporaries(path.join(tree(), 'gone')), { removed: 0, complete: true });
  });
});
