/** The web door's file actions (storageSuite.ts) on disk and in memory; S3 is in s3.test.ts. */
import { after } from 'node:test';
import { LocalStorage } from '../../src/storage/local/LocalStorage.js';
import { MemoryStorage } from '../../src/storage/MemoryStorage.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { runWebStorageSuite } from './storageSuite.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

runWebStorageSuite('MemoryStorage', async () => new MemoryStorage());
runWebStorageSuite('LocalStorage', async () => {
  const dir = tempDir();
  dirs.push(dir);
  return LocalStorage.open(dir);
});
