/** The storage contract (contract.ts) against the backends that need no outside service. */
import { after } from 'node:test';
import { LocalStorage } from '../../src/storage/local/LocalStorage.js';
import { MemoryStorage } from '../../src/storage/MemoryStorage.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { runStorageContract } from './contract.js';

const dirs: string[] = [];
after(() => dirs.forEach(removeDir));

runStorageContract('MemoryStorage', async () => new MemoryStorage());
runStorageContract('LocalStorage', async () => {
  const dir = tempDir();
  dirs.push(dir);
  return LocalStorage.open(dir);
});
