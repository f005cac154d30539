/** basic-ftp, an independent client library, against the real server: a big file, whole trees both ways, both listing formats, directories. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Client, FileType, type FileInfo } from 'basic-ftp';
import { MiB, randomFile, sha256File } from '../helpers/files.js';
import { useServer } from '../helpers/fixture.js';
import { LOG_COMMANDS, UTF8_NAME, digestTree, nestedTree, recordCommands, verbs, writeTree } from './support.js';

describe('basic-ftp', () => {
  const f = useServer(LOG_COMMANDS);

  /** Runs `task` on a logged-in client and closes it afterwards. */
  async function withClient<T>(task: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client(10_000);
    try {
      await client.access({ host: f.server.host, port: f.server.port });
      return await task(client);
    } finally {
      client.close();
    }
  }

  it('uploads and downloads a 50 MiB random file byte for byte, and size() gives its length', async () => {
    const source = path.join(f.work, 'up.bin');
    const target = path.join(f.work, 'down.bin');
    const sum = randomFile(source, 50 * MiB);
    const size = await withClient(async (client) => {
      await client.uploadFrom(source, 'big.bin');
      const length = await client.size('big.bin');
      await client.downloadTo(target, 'big.bin');
      return length;
    });
    assert.equal(size, 50 * MiB);
    assert.equal(await sha256File(path.join(f.root, 'big.bin')), sum);
    assert.equal(await sha256File(target), sum);
  });

  it('makes a directory tree with ensureDir, renames a file across it, and removes the file and the tree', async () => {
    fs.writeFileSync(path.join(f.work, 'x.bin'), 'moved about');
    await withClient(async (client) => {
      await client.ensureDir('/deep/er/still');
      assert.equal(await client.pwd(), '/deep/er/still');
      await client.uploadFrom(path.join(f.work, 'x.bin'), 'x.bin');
      await client.rename('x.bin', '/deep/y.bin');
      assert.equal(fs.readFileSync(path.join(f.root, 'deep', 'y.bin'), 'utf8'), 'moved about');
      await client.remove('/deep/y.bin');
      await client.removeDir('/deep');
    });
    assert.ok(!fs.existsSync(path.join(f.root, 'deep')));
  });

  it('uploadFromDir uploads a tree of nested directories, names with spaces and UTF-8 included, byte for byte', async () => {
    const local = writeTree(path.join(f.work, 'up-tree'), nestedTree(40));
    await withClient((client) => client.uploadFromDir(path.join(f.work, 'up-tree'), '/up-tree'));
    assert.deepEqual(digestTree(path.join(f.root, 'up-tree')), local);
  });

  it('downloadToDir downloads a tree of nested directories, names with spaces and UTF-8 included, byte for byte', async () => {
    const served = writeTree(path.join(f.root, 'down-tree'), nestedTree(40));
    await withClient((client) => client.downloadToDir(path.join(f.work, 'down-tree'), '/down-tree'));
    assert.deepEqual(digestTree(path.join(f.work, 'down-tree')), served);
  });

  describe('list()', () => {
    before(() => {
      fs.mkdirSync(path.join(f.root, 'listed', 'child dir'), { recursive: true });
      fs.writeFileSync(path.join(f.root, 'listed', 'with space.txt'), '123');
      fs.writeFileSync(path.join(f.root, 'listed', UTF8_NAME), 'x'.repeat(70_000));
      fs.writeFileSync(path.join(f.root, 'listed', 'empty'), '');
    });

    /** Name, type, and size for files (a directory's size means nothing), sorted by name. */
    const summary = (entries: FileInfo[]) =>
      entries.map((e) => [e.name, e.type, e.isFile ? e.size : null]).sort(([a], [b]) => String(a).localeCompare(String(b)));
    const expected = [
      ['child dir', FileType.Directory, null],
      ['empty', FileType.File, 0],
      [UTF8_NAME, FileType.File, 70_000],
      ['with space.txt', FileType.File, 3],
    ];

    it('parses our MLSD listing, the default, into the right names, types and sizes', async () => {
      const commands = recordCommands(f.server);
      const entries = await withClient((client) => client.list('/listed'));
      assert.deepEqual(summary(entries), expected);
      // MLSD gives a directory no size fact (LIST shows the directory's own).
      assert.equal(entries.find((e) => e.name === 'child dir')?.size, 0);
      assert.ok(verbs(await commands()).includes('MLSD'));
    });

    it('parses our LIST listing into the right names, types and sizes when told to use LIST', async () => {
      const commands = recordCommands(f.server);
      const entries = await withClient((client) => {
        client.availableListCommands = ['LIST'];
        return client.list('/listed');
      });
      assert.deepEqual(summary(entries), expected);
      const sent = verbs(await commands());
      assert.ok(sent.includes('LIST') && !sent.includes('MLSD'), sent.join(', '));
    });
  });
});
