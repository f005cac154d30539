/**
 * The contract every storage backend passes: the same scenarios, run by
 * contract.test.ts against MemoryStorage and LocalStorage (a real temporary
 * directory) and by s3.test.ts against S3Storage on a real RGW bucket.
 * Optional operations are tested where the backend has them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isFileError, type FileErrorCode } from '../../src/core/errors.js';
import type { Storage, Upload, WriteMode } from '../../src/core/Storage.js';

/** Where an upload goes: a whole new file, or in place (REST offset, or 'end' for APPE). */
export type WriteTarget = WriteMode | { readonly at: number | 'end' };

export function openUpload(storage: Storage, path: string, target: WriteTarget = 'replace'): Promise<Upload> {
  if (typeof target === 'string') return storage.openWrite(path, target);
  if (!storage.openWriteAt) throw new Error('this backend cannot write in place');
  return storage.openWriteAt(path, target.at);
}

export async function write(storage: Storage, path: string, data: string | Buffer, target: WriteTarget = 'replace'): Promise<void> {
  const upload = await openUpload(storage, path, target);
  await pipeline(Readable.from([Buffer.from(data)]), upload.stream);
  await upload.commit();
}

export async function readBytes(storage: Storage, path: string, start = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.openRead(path, start)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function read(storage: Storage, path: string, start = 0): Promise<string> {
  return (await readBytes(storage, path, start)).toString();
}

export async function names(storage: Storage, path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of storage.list(path)) out.push(...page.map((info) => info.name));
  return out.sort();
}

export const failsWith = (code: FileErrorCode) => (err: unknown) => isFileError(err, code);

/** Registers the contract's tests for one backend; `make` gives a new, empty storage each time. */
export function runStorageContract(name: string, make: () => Promise<Storage>): void {
  describe(`${name} storage contract`, () => {
    it('writes a file and reads it back, also from an offset', async () => {
      const s = await make();
      await write(s, '/a.txt', 'hello world');
      assert.equal(await read(s, '/a.txt'), 'hello world');
      assert.equal(await read(s, '/a.txt', 6), 'world');
      const info = await s.stat('/a.txt');
      assert.equal(info.type, 'file');
      assert.equal(info.size, 11);
    });

    it('appends and writes at an offset, where the backend writes in place', async (t) => {
      const s = await make();
      if (!s.openWriteAt) return t.skip(`${name} cannot write in place`);
      await write(s, '/a.txt', 'hello');
      await write(s, '/a.txt', ' world', { at: 'end' });
      assert.equal(await read(s, '/a.txt'), 'hello world');
      await write(s, '/a.txt', 'W!', { at: 6 });
      assert.equal(await read(s, '/a.txt'), 'hello W!');
    });

    it('does not show an upload before it is committed, nor after it is aborted', async () => {
      const s = await make();
      await write(s, '/keep.txt', 'old');
      const upload = await s.openWrite('/keep.txt', 'replace');
      upload.stream.write(Buffer.from('new data that never completes'));
      assert.equal(await read(s, '/keep.txt'), 'old');
      await upload.abort(false);
      assert.equal(await read(s, '/keep.txt'), 'old');
      assert.deepEqual(await names(s, '/'), ['keep.txt']);
    });

    it('creates a file only while its name is free', async () => {
      const s = await make();
      await write(s, '/u', 'first', 'create');
      const late = await s.openWrite('/v', 'create');
      await write(s, '/v', 'taken meanwhile');
      await pipeline(Readable.from([Buffer.from('second')]), late.stream);
      await assert.rejects(late.commit(), failsWith('EXISTS'));
      assert.equal(await read(s, '/u'), 'first');
      assert.equal(await read(s, '/v'), 'taken meanwhile');
      assert.deepEqual(await names(s, '/'), ['u', 'v']);
    });

    it('lists a directory', async () => {
      const s = await make();
      await s.mkdir('/d');
      await write(s, '/d/x', '1');
      await write(s, '/d/y', '22');
      assert.deepEqual(await names(s, '/d'), ['x', 'y']);
      assert.equal((await s.stat('/d')).type, 'dir');
    });

    it('makes and removes directories', async () => {
      const s = await make();
      await s.mkdir('/d');
      await assert.rejects(s.mkdir('/d'), failsWith('EXISTS'));
      await write(s, '/d/x', '1');
      await assert.rejects(s.rmdir('/d'), failsWith('NOT_EMPTY'));
      await s.delete('/d/x');
      await s.rmdir('/d');
      await assert.rejects(s.stat('/d'), failsWith('NOT_FOUND'));
    });

    it('renames files', async () => {
      const s = await make();
      await write(s, '/a', 'A');
      await s.mkdir('/sub');
      await s.rename('/a', '/sub/b');
      assert.equal(await read(s, '/sub/b'), 'A');
      await assert.rejects(s.stat('/a'), failsWith('NOT_FOUND'));
    });

    it('reports missing entries as not found', async () => {
      const s = await make();
      await assert.rejects(s.stat('/nope'), failsWith('NOT_FOUND'));
      await assert.rejects(s.openRead('/nope'), failsWith('NOT_FOUND'));
      await assert.rejects(s.delete('/nope'), failsWith('NOT_FOUND'));
      await assert.rejects(s.openWrite('/nodir/x', 'replace'), failsWith('NOT_FOUND'));
    });

    it('refuses to read or delete a directory as a file', async () => {
      const s = await make();
      await s.mkdir('/d');
      await assert.rejects(s.openRead('/d'), failsWith('IS_DIR'));
      await assert.rejects(s.delete('/d'), failsWith('IS_DIR'));
      await assert.rejects(s.openWrite('/d', 'replace'), failsWith('IS_DIR'));
    });

    it('refuses to remove the root', async () => {
      const s = await make();
      await assert.rejects(s.rmdir('/'), failsWith('PERMISSION'));
    });

    it('sets modification times, where the backend can', async (t) => {
      const s = await make();
      if (!s.setModifiedTime) return t.skip(`${name} cannot set modification times`);
      await write(s, '/t', 'x');
      const when = new Date(Date.UTC(2001, 1, 3, 4, 5, 6));
      await s.setModifiedTime('/t', when);
      assert.equal((await s.stat('/t')).mtime.getTime(), when.getTime());
    });
  });
}
