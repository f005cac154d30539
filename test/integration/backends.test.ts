/**
 * The protocol on every backend that needs no outside service: MemoryStorage,
 * LocalStorage, and a storage that has none of the optional operations (so
 * FEAT, APPE, REST + STOR, MFMT and SITE CHMOD are seen to follow what the
 * storage can do). S3 is in backends-s3.test.ts.
 */
import { after } from 'node:test';
import type { Storage } from '../../src/core/Storage.js';
import { LocalStorage } from '../../src/storage/local/LocalStorage.js';
import { MemoryStorage } from '../../src/storage/MemoryStorage.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { runBackendSuite } from './backendSuite.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

/** Only the required methods of a storage: what a minimal backend offers. */
function requiredOnly(s: Storage): Storage {
  return {
    kind: 'minimal',
    stat: (p) => s.stat(p),
    list: (p) => s.list(p),
    openRead: (p, start, chunk) => s.openRead(p, start, chunk),
    openWrite: (p, mode) => s.openWrite(p, mode),
    mkdir: (p) => s.mkdir(p),
    rmdir: (p) => s.rmdir(p),
    delete: (p) => s.delete(p),
    rename: (from, to) => s.rename(from, to),
  };
}

runBackendSuite('MemoryStorage', async () => new MemoryStorage());
runBackendSuite('LocalStorage', async () => {
  const dir = tempDir();
  dirs.push(dir);
  return LocalStorage.open(dir);
});
runBackendSuite('a storage without optional operations', async () => requiredOnly(new MemoryStorage()));
