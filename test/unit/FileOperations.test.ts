/** core/FileOperations: every action resolves the path, checks the account's permission, and only then reaches the storage. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Account } from '../../src/auth/Account.js';
import { ALL_PERMISSIONS, READ_ONLY, type Permission } from '../../src/auth/permissions.js';
import { FileOperations } from '../../src/core/FileOperations.js';
import type { Storage } from '../../src/core/Storage.js';
import { MemoryStorage } from '../../src/storage/MemoryStorage.js';
import { failsWith, read, write } from '../storage/contract.js';

const account = (permissions: ReadonlySet<Permission>): Account => ({ name: 'u', home: 'mem://', permissions, anonymous: false });

/** A storage that records every call that reaches it, to show what a refusal never reached. */
function recording(storage: Storage): { storage: Storage; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(storage, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${String(args[0])}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage: proxy, calls };
}

describe('FileOperations', () => {
  it('resolves paths against its working directory, inside "/"', async () => {
    const storage = new MemoryStorage();
    await storage.mkdir('/d');
    await write(storage, '/d/f', 'x');
    const ops = new FileOperations(account(ALL_PERMISSIONS), storage);
    assert.equal(await ops.changeDirectory('d'), '/d');
    assert.equal(ops.resolve('f'), '/d/f');
    assert.equal(ops.resolve('../../../etc'), '/etc');
    assert.equal(ops.resolve(''), '/d');
    assert.equal((await ops.stat('f')).info.size, 1);
    await assert.rejects(ops.changeDirectory('f'), failsWith('NOT_DIR'));
    assert.equal(ops.cwd, '/d');
  });

  it('refuses what a read-only account may not do before the storage is called', async () => {
    const memory = new MemoryStorage();
    await write(memory, '/f', 'x');
    const { storage, calls } = recording(memory);
    const ops = new FileOperations(account(READ_ONLY), storage);
    const refused = [
      () => ops.openUpload('/g', { kind: 'replace' }),
      () => ops.openUpload('/f', { kind: 'append' }),
      () => ops.openUpload('/g', { kind: 'unique' }),
      () => ops.delete('/f'),
      () => ops.mkdir('/d'),
      () => ops.rmdir('/d'),
      () => ops.renameSource('/f'),
      () => ops.rename('/f', '/h'),
      () => ops.setModifiedTime('/f', new Date()),
      () => ops.chmod('/f', 0o600),
    ];
    for (const action of refused) await assert.rejects(action(), failsWith('PERMISSION'));
    assert.deepEqual(calls, []);
    assert.equal(await read(memory, '/f'), 'x');
  });

  it('lets a write-only account (a drop box) upload, also under a free name, but not read or list', async () => {
    const storage = new MemoryStorage();
    await write(storage, '/in.txt', 'taken');
    const ops = new FileOperations(account(new Set<Permission>(['write'])), storage);
    const { path, upload } = await ops.openUpload('/in.txt', { kind: 'unique' });
    assert.equal(path, '/in_1.txt');
    upload.stream.end(Buffer.from('mine'));
    await upload.commit();
    assert.equal(await read(storage, '/in_1.txt'), 'mine');
    await assert.rejects(ops.openRead('/in.txt'), failsWith('PERMISSION'));
    await assert.rejects(ops.listing('/'), failsWith('PERMISSION'));
    await assert.rejects(ops.exists('/in.txt'), failsWith('PERMISSION'));
  });

  it('says "not supported" for an optional operation the storage lacks, and uses a digest the storage holds', async () => {
    const memory = new MemoryStorage();
    await write(memory, '/f', 'abc');
    const bare: Storage = Object.assign(Object.create(memory) as Storage, { setModifiedTime: undefined, chmod: undefined, openWriteAt: undefined });
    const ops = new FileOperations(account(ALL_PERMISSIONS), bare);
    assert.deepEqual(ops.capabilities, { writeInPlace: false, setModifiedTime: false, chmod: false, fastRead: false, knownDigests: false });
    await assert.rejects(ops.setModifiedTime('/f', new Date()), failsWith('NOT_SUPPORTED'));
    await assert.rejects(ops.chmod('/f', 0o600), failsWith('NOT_SUPPORTED'));
    await assert.rejects(ops.openUpload('/f', { kind: 'at', offset: 1 }), failsWith('NOT_SUPPORTED'));
    const sha = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    assert.equal(await ops.digest('/f', 'SHA-256', 0, 3, 3), sha);
    const held = new FileOperations(account(ALL_PERMISSIONS), Object.assign(Object.create(memory) as Storage, { knownDigest: async () => 'held' }));
    assert.equal(await held.digest('/f', 'SHA-256', 0, 3, 3), 'held');
    // A range is never answered from a whole-file digest.
    assert.notEqual(await held.digest('/f', 'SHA-256', 1, 3, 3), 'held');
  });
});
