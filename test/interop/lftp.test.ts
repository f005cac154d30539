/** lftp, an independent client, against the real server: mirror both ways (bytes, times, modes), segmented pget, cls. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { run } from '../helpers/processes.js';
import { CONNECTION_OPENED, LOG_COMMANDS, UTF8_ENV, UTF8_NAME, digestTree, nestedTree, recordCommands, verbs, writeTree } from './support.js';

const TREE_FILES = 300;

describe('lftp', () => {
  const f = useServer(LOG_COMMANDS);

  /** Runs lftp commands in one session, failing on the first command that fails; returns what lftp printed. */
  async function lftp(commands: string): Promise<string> {
    const script = `set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; open -u anonymous,x ftp://127.0.0.1:${f.server.port}; ${commands}`;
    const result = await run('lftp', ['-c', script], { env: UTF8_ENV, timeoutMs: 60_000 });
    assert.equal(result.code, 0, `lftp -c '${script}' exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  it(`mirror downloads a tree of ${TREE_FILES} files in nested directories, names with spaces and UTF-8 included, byte for byte`, async () => {
    const served = writeTree(path.join(f.root, 'down-tree'), nestedTree(TREE_FILES));
    assert.equal(Object.keys(served).length, TREE_FILES);
    assert.ok(served[`docs/with space/${UTF8_NAME}`]);
    await lftp(`mirror /down-tree "${path.join(f.work, 'down-tree')}"`);
    assert.deepEqual(digestTree(path.join(f.work, 'down-tree')), served);
  });

  it(`mirror -R uploads a tree of ${TREE_FILES} files in nested directories, names with spaces and UTF-8 included, byte for byte`, async () => {
    const local = writeTree(path.join(f.work, 'up-tree'), nestedTree(TREE_FILES));
    await lftp(`mirror -R "${path.join(f.work, 'up-tree')}" /up-tree`);
    assert.deepEqual(digestTree(path.join(f.root, 'up-tree')), local);
  });

  it("mirror -R keeps each file's modification time, which it sets with MFMT", async () => {
    const local = path.join(f.work, 'dated-tree');
    const files = ['old.txt', 'sub dir/older.txt'];
    writeTree(local, Object.fromEntries(files.map((name) => [name, 10])));
    const when = new Date('2001-02-03T04:05:06Z');
    for (const name of files) fs.utimesSync(path.join(local, name), when, when);
    const commands = recordCommands(f.server);
    await lftp(`mirror -R "${local}" /dated-tree`);
    for (const name of files) assert.equal(fs.statSync(path.join(f.root, 'dated-tree', name)).mtime.toISOString(), when.toISOString());
    assert.equal(verbs(await commands()).filter((v) => v === 'MFMT').length, files.length);
  });

  it("mirror -R carries each file's permission bits, which it sets with SITE CHMOD", async () => {
    const local = path.join(f.work, 'modes-tree');
    // Modes the usual umask (022) leaves alone: lftp masks them with its umask unless --no-umask.
    const modes: Record<string, number> = { 'run.sh': 0o755, 'private.txt': 0o600, 'sub dir/group.txt': 0o640 };
    writeTree(local, Object.fromEntries(Object.keys(modes).map((name) => [name, 10])));
    for (const [name, mode] of Object.entries(modes)) fs.chmodSync(path.join(local, name), mode);
    await lftp(`mirror -R "${local}" /modes-tree`);
    for (const [name, mode] of Object.entries(modes)) {
      assert.equal((fs.statSync(path.join(f.root, 'modes-tree', name)).mode & 0o777).toString(8), mode.toString(8), name);
    }
  });

  it('pget -n 4 downloads a 128 MiB file over parallel connections, byte for byte', async () => {
    const sum = randomFile(path.join(f.root, 'segmented.bin'), 128 * MiB + 3);
    const logStart = f.server.output().length;
    const commands = recordCommands(f.server);
    await lftp(`pget -n 4 /segmented.bin -o "${path.join(f.work, 'segmented.bin')}"`);
    assert.equal(await sha256File(path.join(f.work, 'segmented.bin')), sum);
    const sent = await commands();
    // lftp opens its extra connections at once, but when the first one is fast it may leave them
    // nothing to fetch: they then close after FEAT, after login, with or without QUIT (all three
    // seen, on both send paths). So count the connections the server saw open; every segment lftp
    // did ask for must be a ranged RETR (REST past 0), and the bytes must be whole either way.
    const opened = [...f.server.output().slice(logStart).matchAll(CONNECTION_OPENED)].length;
    assert.ok(opened >= 2, `lftp opened one connection only: ${sent.join(', ')}`);
    const retrs = sent.filter((c) => /^RETR \/?segmented\.bin$/.test(c)).length;
    const rests = sent.filter((c) => /^REST [1-9]\d*$/.test(c)).length;
    assert.ok(retrs >= 1 && rests === retrs - 1, sent.join(', '));
  });

  it('cls -l lists every name with its size', async () => {
    fs.mkdirSync(path.join(f.root, 'listed'));
    fs.writeFileSync(path.join(f.root, 'listed', 'small.txt'), 'x'.repeat(17));
    fs.writeFileSync(path.join(f.root, 'listed', UTF8_NAME), 'y'.repeat(123_456));
    fs.mkdirSync(path.join(f.root, 'listed', 'child dir'));
    // lftp prints "-rw-r--r--   123456 Nov 25 17:17 /listed/name", no size for a directory, whose name ends with "/".
    const entries = (await lftp('cls -l /listed/'))
      .split('\n')
      .filter(Boolean)
      .map((line) => /^([-d])\S+ +(\d*) +\w{3} +\d+ +[\d:]+ (.*)$/.exec(line)?.slice(1) ?? [line]);
    assert.deepEqual(entries, [
      ['d', '', '/listed/child dir/'],
      ['-', '123456', `/listed/${UTF8_NAME}`],
      ['-', '17', '/listed/small.txt'],
    ]);
  });
});
