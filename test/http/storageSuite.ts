/**
 * The web door's file actions on a given backend, in this process
 * (HttpServer on a provider that opens that one storage): tus upload,
 * download with a range, zip, sha256, mkdir, rename, delete. Run on disk and
 * memory (storage.test.ts) and on a real RGW bucket (s3.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Storage } from '../../src/core/Storage.js';
import type { App } from '../../src/app/App.js';
import { testApp } from '../helpers/testApp.js';
import { HttpServer } from '../../src/http/HttpServer.js';
import { removeDir, tempDir } from '../helpers/files.js';
import { WebClient, q } from './webClient.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(storage: Storage, p: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.openRead(p)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function runWebStorageSuite(name: string, makeStorage: () => Promise<Storage>, options: { bigBytes?: number } = {}): void {
  describe(`web door on ${name}`, () => {
    let storage: Storage;
    let http: HttpServer;
    let app: App;
    let client: WebClient;
    let dir: string;

    before(async () => {
      storage = await makeStorage();
      dir = tempDir('sockftp-web-suite-');
      http = await HttpServer.create(
        {
          host: '127.0.0.1',
          port: 0,
          tls: null,
          idleMs: 60_000,
          maxSessions: 100,
          maxUploadBytes: 1024 ** 3,
          stagingDir: path.join(dir, 'staging'),
          stagingExpiryMs: 3_600_000,
          sharesFile: null,
        },
        (app = await testApp(storage)),
      );
      app.addDoor(http.door);
      await http.listen();
      client = await WebClient.login(http.url);
    });
    after(async () => {
      await app?.shutdown(1_000);
      if (dir) removeDir(dir);
    });

    it('uploads by tus in two pieces, visible only once complete, and downloads it whole and by range', async () => {
      const bytes = randomBytes(options.bigBytes ?? 3 * 1024 * 1024 + 5);
      assert.equal((await client.post('/api/mkdir', { path: '/in' })).status, 201);
      const created = await client.createUpload(bytes.length, { dir: '/in', filename: 'sub/big.bin' });
      assert.equal(created.status, 201);
      const location = created.headers.get('location')!;
      const half = Math.floor(bytes.length / 2);
      assert.equal((await client.patch(location, 0, bytes.subarray(0, half))).status, 204);
      await assert.rejects(storage.stat('/in/sub/big.bin'), 'nothing in the storage before the last byte');
      assert.equal((await client.patch(location, half, bytes.subarray(half))).status, 204);
      assert.equal(sha(await readAll(storage, '/in/sub/big.bin')), sha(bytes));
      const whole = await client.get('/api/file?path=/in/sub/big.bin&download=1');
      assert.equal(sha(Buffer.from(await whole.arrayBuffer())), sha(bytes));
      const part = await client.request('GET', '/api/file?path=/in/sub/big.bin', { headers: { range: 'bytes=1000-1999' } });
      assert.equal(part.status, 206);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(1000, 2000));
      assert.equal((await client.json<{ sha256: string }>('/api/sha256?path=/in/sub/big.bin')).sha256, sha(bytes));
      // A second upload of the same name replaces it, whole.
      const again = randomBytes(1000);
      await client.upload('/in/sub', 'big.bin', again);
      assert.equal(sha(await readAll(storage, '/in/sub/big.bin')), sha(again));
    });

    it('zips a folder byte for byte (python zipfile)', async () => {
      const a = randomBytes(200_000);
      const b = randomBytes(10);
      await client.upload('/', 'zipme/a.bin', a);
      await client.upload('/', 'zipme/deep/b.bin', b);
      const res = await client.get(`/api/zip?path=${q('/zipme')}`);
      assert.equal(res.status, 200);
      const file = path.join(dir, 'z.zip');
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const script =
        'import hashlib,json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))';
      assert.deepEqual(JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })), { 'zipme/a.bin': sha(a), 'zipme/deep/b.bin': sha(b) });
    });

    it('renames a file and a folder, and deletes a folder recursively', async () => {
      await client.upload('/', 'ren/x.txt', Buffer.from('x'));
      await client.upload('/', 'ren/inner/y.txt', Buffer.from('y'));
      assert.equal((await client.post('/api/rename', { from: '/ren/x.txt', to: '/ren/z.txt' })).status, 200);
      assert.equal((await readAll(storage, '/ren/z.txt')).toString(), 'x');
      assert.equal((await client.post('/api/rename', { from: '/ren', to: '/moved' })).status, 200);
      assert.equal((await readAll(storage, '/moved/inner/y.txt')).toString(), 'y');
      const listing = await client.json<{ entries: { name: string; type: string }[] }>('/api/list?path=/moved');
      assert.deepEqual(
        listing.entries.map((e) => [e.name, e.type]),
        [
          ['inner', 'dir'],
          ['z.txt', 'file'],
        ],
      );
      assert.equal((await client.post('/api/delete', { paths: ['/moved'] })).status, 200);
      await assert.rejects(storage.stat('/moved'));
      assert.equal((await client.get('/api/list?path=/moved')).status, 404);
    });
  });
}
