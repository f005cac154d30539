/**
 * The storage contract (contract.ts) on LocalStorage in a real FUSE mount
 * (test/helpers/stallfs.py, never stalled here): a mount whose every call
 * LocalStorage makes through the thread pool, in the mount's lane, with no
 * inline read, write or sendfile. Stalled, it is test/faults/stalledDisk.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, it } from 'node:test';
import { removeDir, tempDir } from '../helpers/files.js';
import { mountStalling } from '../helpers/stallfs.js';
import { runStorageContract } from './contract.js';

const dir = tempDir('sockftp-fuse-');
const mountpoint = path.join(dir, 'mount');
fs.mkdirSync(mountpoint);
fs.mkdirSync(path.join(dir, 'backing'));
let unmount: (() => Promise<void>) | null = null;
after(async () => {
  await unmount?.();
  removeDir(dir);
});
const started = await mountStalling(path.join(dir, 'backing'), mountpoint, (undo) => (unmount = undo));
// Loaded once the mount is there, so the mount table they read first has it (without the addon's
// change notice, a table is read again only once it is a second old).
const { LocalStorage } = await import('../../src/storage/local/LocalStorage.js');
const { callsAt } = await import('../../src/storage/local/systemCalls.js');

if (started.mount === null) {
  it('LocalStorage on a FUSE mount', (t) => t.skip(started.reason));
} else {
  it('LocalStorage calls into the FUSE mount through its lane', () => {
    assert.notEqual(callsAt(path.join(mountpoint, 'x')).lane, null);
    assert.equal(callsAt(dir).lane, null);
  });
  runStorageContract('LocalStorage on a FUSE mount', async () => LocalStorage.open(fs.mkdtempSync(path.join(mountpoint, 'contract-'))));
}
