/** basic-ftp, an independent client library, against the real server. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Client, FileType } from 'basic-ftp';
import { useServer } from '../helpers/fixture.js';
import { MiB, randomFile, sha256File } from '../helpers/files.js';

describe('basic-ftp', () => {
  const f = useServer();

  async function connected(): Promise<Client> {
    const client = new Client(30_000);
    await client.access({ host: f.server.host, port: f.server.port });
    return client;
  }

  it('uploads and downloads a 50 MiB random file intact', async () => {
    const source = path.join(f.work, 'up.bin');
    const target = path.join(f.work, 'down.bin');
    const sum = randomFile(source, 50 * MiB);
    const client = await connected();
    try {
      await client.uploadFrom(source, 'big.bin');
      assert.equal(await client.size('big.bin'), 50 * MiB);
      await client.downloadTo(target, 'big.bin');
    } finally {
      client.close();
    }
    assert.equal(await sha256File(path.join(f.root, 'big.bin')), sum);
    assert.equal(await sha256File(target), sum);
  });

  it('parses our MLSD listing, names with spaces and non-ASCII included', async () => {
    fs.mkdirSync(path.join(f.root, 'mixed'));
    fs.writeFileSync(path.join(f.root, 'mixed', 'with space.txt'), '123');
    fs.writeFileSync(path.join(f.root, 'mixed', 'größe-ñ-日本.txt'), '12');
    fs.mkdirSync(path.join(f.root, 'mixed', 'child'));
    const client = await connected();
    try {
      const entries = (await client.list('mixed')).map((e) => [e.name, e.type, e.size]).sort();
      assert.deepEqual(entries, [
        ['child', FileType.Directory, 0],
        ['größe-ñ-日本.txt', FileType.File, 2],
        ['with space.txt', FileType.File, 3],
      ]);
    } finally {
      client.close();
    }
  });

  it('parses our LIST listing when told to use it', async () => {
    const client = await connected();
    try {
      client.availableListCommands = ['LIST'];
      const entries = await client.list('mixed');
      const spaced = entries.find((e) => e.name === 'with space.txt');
      assert.equal(spaced?.size, 3);
      assert.equal(entries.find((e) => e.name === 'child')?.isDirectory, true);
    } finally {
      client.close();
    }
  });

  it('renames, deletes and creates directories', async () => {
    const client = await connected();
    try {
      await client.ensureDir('/deep/er/still');
      assert.equal(await client.pwd(), '/deep/er/still');
      await client.uploadFrom(path.join(f.work, 'up.bin'), 'x.bin');
      await client.rename('x.bin', '/deep/y.bin');
      assert.ok(fs.existsSync(path.join(f.root, 'deep', 'y.bin')));
      await client.remove('/deep/y.bin');
      await client.removeDir('/deep');
      assert.ok(!fs.existsSync(path.join(f.root, 'deep')));
    } finally {
      client.close();
    }
  });
});
