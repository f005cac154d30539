/**
 * S3Storage on a real Ceph RGW (test/helpers/rgw.ts): the storage contract,
 * on a whole bucket and under a prefix, and what only an object store has to
 * get right: paged listings, directories without markers, multipart uploads
 * that never show half, in-place writes built from copies, renames by copy,
 * digests kept with objects, the sweep of left-over uploads; and, last, the
 * store failing: the gateway killed in the middle of a download and of an
 * upload, a bucket that is not there, an endpoint where nothing listens. Each
 * failure is an FileError the server can answer with (UNAVAILABLE:
 * 451, try later), nothing half-written is visible afterwards, and the
 * storage works again once the gateway is back.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Upload } from '../../src/core/Storage.js';
import { createS3Client } from '../../src/storage/s3/client.js';
import { isS3Location, parseS3Location, type S3Location } from '../../src/storage/s3/location.js';
import { forEachLimited } from '../../src/storage/s3/pool.js';
import { copyObject, copyRanges } from '../../src/storage/s3/serverCopy.js';
import { S3Storage } from '../../src/storage/s3/S3Storage.js';
import { s3Settings, type S3Settings } from '../../src/storage/s3/settings.js';
import { abortStaleUploads, startUploadSweeper, type SweepOutcome } from '../../src/storage/s3/sweep.js';
import { MiB, removeDir, tempDir } from '../helpers/files.js';
import { freePort } from '../helpers/ports.js';
import { startRgw, withRgwEnv, type Rgw } from '../helpers/rgw.js';
import { failsWith, names, read, readBytes, runStorageContract, write } from './contract.js';

describe('S3 locations', () => {
  it('splits s3://bucket/prefix into a bucket and a prefix ending with a slash', () => {
    assert.deepEqual(parseS3Location('s3://files'), { bucket: 'files', prefix: '' });
    assert.deepEqual(parseS3Location('s3://files/'), { bucket: 'files', prefix: '' });
    assert.deepEqual(parseS3Location('s3://files/a//b/'), { bucket: 'files', prefix: 'a/b/' });
    assert.ok(isS3Location('S3://files') && !isS3Location('/srv/files'));
  });

  it('refuses bucket names S3 refuses, saying which rule', () => {
    assert.throws(() => parseS3Location('s3://ab'), /3 to 63/);
    assert.throws(() => parseS3Location('s3://My_Files'), /lower-case/);
    assert.throws(() => parseS3Location('s3://-files'), /begin and end/);
    assert.throws(() => parseS3Location('s3://192.168.1.1'), /IP address/);
    assert.throws(() => parseS3Location('s3://files/a/../b'), /"\.\."/);
    assert.throws(() => parseS3Location('/srv/files'), /starts with s3:\/\//);
  });

  it('splits a large copy into even ranges no larger than the limit', () => {
    assert.deepEqual(copyRanges(10, 10), [{ start: 0, end: 10 }]);
    assert.deepEqual(copyRanges(11, 10), [
      { start: 0, end: 6 },
      { start: 6, end: 11 },
    ]);
  });
});

// The SDK warns that its releases after January 2027 need Node 22; the pinned one runs on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { rgw, reason } = await startRgw();

if (rgw === null) {
  it('S3Storage on Ceph RGW', (t) => t.skip(reason));
} else {
  s3Suite(rgw);
}

function s3Suite(rgw: Rgw): void {
  // Credentials reach S3Storage's client the way they do in production: through the environment.
  withRgwEnv(rgw, process.env);
  const settings = s3Settings({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, partBytes: 5 * MiB, queueSize: 2 });
  const client = createS3Client(settings);
  /** The helper's own client, with explicit credentials: objects put "by another tool". */
  const sdk = rgw.client;
  let bucket = '';
  let prefixes = 0;

  before(async () => {
    bucket = await rgw.createBucket();
  });
  after(async () => {
    client.destroy();
    await rgw.stop();
  });

  /** A new, empty place for each test: a prefix of the shared bucket. */
  const newLocation = (): S3Location => ({ bucket, prefix: `t${++prefixes}/` });
  const open = (location = newLocation(), overrides: Partial<S3Settings> = {}) => new S3Storage(client, location, { ...settings, ...overrides });
  const put = (key: string, body: string | Buffer = 'x', Metadata?: Record<string, string>) =>
    sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata }));
  const uploadsUnder = async (prefix: string) =>
    ((await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))).Uploads ?? []).map((u) => u.Key);
  /**
   * "old" in /keep.bin, and an upload replacing it that has been given
   * `mebibytes` MiB. One part in flight at a time: once a write that fills a
   * part has called back, the part before it is in the store.
   */
  const replaceWithParts = async (location: S3Location, mebibytes: number) => {
    const s = open(location, { queueSize: 1 });
    await write(s, '/keep.bin', 'old');
    const upload = await s.openWrite('/keep.bin', 'replace');
    for (let i = 0; i < mebibytes; i++) await writeChunk(upload, randomBytes(MiB));
    return { s, upload };
  };
  const keysUnder = async (prefix: string) => ((await sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

  runStorageContract('S3Storage on a whole bucket', async () => new S3Storage(client, { bucket: await rgw.createBucket(), prefix: '' }, settings));
  runStorageContract('S3Storage under a prefix', async () => open());

  describe('S3Storage', () => {
    it('lists a directory of 1,200 entries a page at a time, as the pages come', async (t) => {
      const location = newLocation();
      const expected = [
        ...Array.from({ length: 1150 }, (_, i) => `file-${String(i).padStart(4, '0')}`),
        ...Array.from({ length: 50 }, (_, i) => `dir-${String(i).padStart(2, '0')}`),
      ].sort();
      await forEachLimited(expected, 32, async (name) => {
        await put(`${location.prefix}big/${name}${name.startsWith('dir') ? '/inside' : ''}`);
      });
      const counting = createS3Client(settings);
      t.after(() => counting.destroy());
      let requests = 0;
      counting.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'ListObjectsV2Command') requests++;
          return next(args);
        },
        { step: 'initialize' },
      );
      const pages: string[][] = [];
      for await (const page of new S3Storage(counting, location, settings).list('/big')) {
        // Each page is handed over before the next one is asked for.
        assert.equal(requests, pages.length + 1);
        pages.push(page.map((entry) => (entry.type === 'dir' ? `${entry.name}/` : entry.name)));
      }
      assert.ok(pages.length >= 2, `${pages.length} pages`);
      assert.ok(pages.every((page) => page.length <= 1000));
      assert.deepEqual(pages.flat().sort(), expected.map((name) => (name.startsWith('dir') ? `${name}/` : name)).sort());
    });

    it('takes a prefix without a marker for a directory, and keeps it when its last file goes', async () => {
      const location = newLocation();
      const s = open(location);
      await put(`${location.prefix}x/y/z.txt`, 'zz');
      assert.equal((await s.stat('/x')).type, 'dir');
      assert.equal((await s.stat('/x/y')).type, 'dir');
      assert.deepEqual(await names(s, '/x'), ['y']);
      assert.deepEqual(await names(s, '/x/y'), ['z.txt']);
      await write(s, '/x/y/new.txt', 'new');
      await s.delete('/x/y/z.txt');
      await s.delete('/x/y/new.txt');
      assert.deepEqual(await names(s, '/x/y'), []);
      await s.rmdir('/x/y');
      assert.deepEqual(await names(s, '/x'), []);
      await s.rmdir('/x');
      assert.deepEqual(await keysUnder(location.prefix), []);
    });

    it('tells a missing directory from a file where a directory is needed', async () => {
      const s = open();
      await write(s, '/f', 'file');
      await assert.rejects(names(s, '/none'), failsWith('NOT_FOUND'));
      await assert.rejects(names(s, '/f'), failsWith('NOT_DIR'));
      await assert.rejects(s.mkdir('/f/sub'), failsWith('NOT_DIR'));
      await assert.rejects(s.openWrite('/f/sub', 'replace'), failsWith('NOT_DIR'));
      await assert.rejects(s.mkdir('/f'), failsWith('EXISTS'));
      await assert.rejects(s.rmdir('/f'), failsWith('NOT_DIR'));
    });

    it('keeps the old object, and no multipart upload, when an upload of several parts is aborted', async () => {
      const location = newLocation();
      const { s, upload } = await replaceWithParts(location, 11);
      const [uploadKey] = await uploadsUnder(location.prefix);
      assert.equal(uploadKey, `${location.prefix}keep.bin`);
      assert.ok((await partsOf(sdk, bucket, location.prefix)) >= 1);
      assert.equal(await read(s, '/keep.bin'), 'old');
      await upload.abort(true);
      assert.equal(await read(s, '/keep.bin'), 'old');
      assert.deepEqual(await uploadsUnder(location.prefix), []);
      assert.deepEqual(await names(s, '/'), ['keep.bin']);
    });

    it('uploads a file of several parts byte for byte, visible only at commit', async () => {
      const s = open();
      const data = randomBytes(12 * MiB + 123);
      const upload = await s.openWrite('/big.bin', 'replace');
      await pipeline(Readable.from(chunks(data, 64 * 1024)), upload.stream);
      await assert.rejects(s.stat('/big.bin'), failsWith('NOT_FOUND'));
      await upload.commit();
      assert.ok((await readBytes(s, '/big.bin')).equals(data));
      assert.ok((await readBytes(s, '/big.bin', 7 * MiB)).equals(data.subarray(7 * MiB)));
      assert.equal((await s.stat('/big.bin')).size, data.length);
      // At or past the end there is nothing left to read: an empty stream that knows the size, not an error.
      for (const start of [data.length, data.length + 1]) {
        const rest = await s.openRead('/big.bin', start);
        assert.equal(rest.size, data.length);
        assert.equal((await readBytes(s, '/big.bin', start)).length, 0);
        rest.destroy();
      }
    });

    it('keeps its own copy of what it is given, for a sender that reuses its buffer after each write', async () => {
      const s = open();
      const data = randomBytes(6 * MiB);
      const upload = await s.openWrite('/reused.bin', 'replace');
      const buffer = Buffer.alloc(256 * 1024);
      for (const chunk of chunks(data, buffer.length)) {
        chunk.copy(buffer);
        await writeChunk(upload, buffer.subarray(0, chunk.length));
        buffer.fill(0);
      }
      upload.stream.end();
      await upload.commit();
      assert.ok((await readBytes(s, '/reused.bin')).equals(data));
    });

    it('lets a download be dropped at any time without keeping its connection', { timeout: 30_000 }, async () => {
      const s = open();
      await write(s, '/f.bin', randomBytes(8 * MiB));
      // More downloads than the client has sockets: one not given back would leave a later open waiting.
      for (let i = 0; i < 80; i++) (await s.openRead('/f.bin', i * 1000)).destroy();
      assert.equal((await readBytes(s, '/f.bin', 8 * MiB - 10)).length, 10);
    });

    it('refuses a multipart STOU whose name was taken before it completed', async () => {
      const s = open();
      const upload = await s.openWrite('/u.bin', 'create');
      await writeChunk(upload, randomBytes(6 * MiB));
      await write(s, '/u.bin', 'taken meanwhile');
      upload.stream.end();
      await assert.rejects(upload.commit(), failsWith('EXISTS'));
      assert.equal(await read(s, '/u.bin'), 'taken meanwhile');
    });

    for (const [what, size] of [
      ['below', 1 * MiB],
      ['above', 7 * MiB],
    ] as const) {
      it(`appends and writes at an offset on an object ${what} 5 MiB, byte for byte`, async () => {
        const s = open();
        const original = randomBytes(size);
        await write(s, '/f.bin', original);
        const tail = randomBytes(MiB + 17);
        await write(s, '/f.bin', tail, { at: 'end' });
        const appended = Buffer.concat([original, tail]);
        assert.ok((await readBytes(s, '/f.bin')).equals(appended));
        const offset = size - 12345;
        const rest = randomBytes(2 * MiB);
        await write(s, '/f.bin', rest, { at: offset });
        assert.ok((await readBytes(s, '/f.bin')).equals(Buffer.concat([appended.subarray(0, offset), rest])));
      });
    }

    it('creates a missing file on APPE, and refuses an offset past the end', async () => {
      const s = open();
      await write(s, '/new.txt', 'first', { at: 'end' });
      assert.equal(await read(s, '/new.txt'), 'first');
      await assert.rejects(s.openWriteAt('/new.txt', 6), failsWith('BAD_ARGUMENT'));
      await assert.rejects(s.openWriteAt('/missing.txt', 1), failsWith('BAD_ARGUMENT'));
    });

    it('renames a directory with everything under it, markers and nested keys', async () => {
      const location = newLocation();
      const s = open(location);
      await s.mkdir('/a');
      await s.mkdir('/a/b');
      await write(s, '/a/x', 'X');
      await write(s, '/a/b/y ü.txt', 'Y');
      await put(`${location.prefix}a/b/c/z`, 'Z');
      await s.mkdir('/d');
      await assert.rejects(s.rename('/a', '/a/b/e'), failsWith('PERMISSION'));
      await assert.rejects(s.rename('/a', '/nowhere/e'), failsWith('NOT_FOUND'));
      await assert.rejects(s.rename('/d', '/a'), failsWith('NOT_EMPTY'));
      await s.rename('/a', '/d/e');
      assert.deepEqual(await names(s, '/'), ['d']);
      assert.deepEqual(await names(s, '/d/e'), ['b', 'x']);
      assert.deepEqual(await names(s, '/d/e/b'), ['c', 'y ü.txt']);
      assert.equal(await read(s, '/d/e/b/y ü.txt'), 'Y');
      assert.equal(await read(s, '/d/e/b/c/z'), 'Z');
      assert.deepEqual(
        (await keysUnder(location.prefix)).sort(),
        ['d/', 'd/e/', 'd/e/b/', 'd/e/b/c/z', 'd/e/b/y ü.txt', 'd/e/x'].map((k) => location.prefix + k),
      );
    });

    it('refuses to rename a directory of more keys than the bound, before copying any', async () => {
      const location = newLocation();
      const s = open(location, { maxRenameKeys: 5 });
      await s.mkdir('/many');
      for (let i = 0; i < 5; i++) await write(s, `/many/${i}`, String(i));
      await assert.rejects(s.rename('/many', '/moved'), (err: Error) => failsWith('NOT_SUPPORTED')(err) && /more than 5 objects/.test(err.message));
      assert.deepEqual(await keysUnder(`${location.prefix}moved`), []);
      assert.deepEqual(await names(s, '/many'), ['0', '1', '2', '3', '4']);
    });

    it('knows the SHA-256 of what it uploaded, and of nothing else', async () => {
      const location = newLocation();
      const s = open(location);
      const small = randomBytes(1000);
      const large = randomBytes(6 * MiB);
      await write(s, '/small', small);
      await write(s, '/large', large);
      assert.equal(await s.knownDigest('/small', 'SHA-256'), sha256(small));
      assert.equal(await s.knownDigest('/large', 'SHA-256'), sha256(large));
      assert.equal(await s.knownDigest('/small', 'MD5'), null);
      // Renamed: the copy carries the digest with the bytes.
      await s.rename('/large', '/moved');
      assert.equal(await s.knownDigest('/moved', 'SHA-256'), sha256(large));
      // Replaced by another tool: the new object has no digest of ours, not the old one's.
      await put(`${location.prefix}moved`, randomBytes(6 * MiB));
      assert.equal(await s.knownDigest('/moved', 'SHA-256'), null);
      await put(`${location.prefix}other`, 'put by another tool');
      assert.equal(await s.knownDigest('/other', 'SHA-256'), null);
      // A small head read here is hashed; a large one copied inside the store cannot be.
      const tail = randomBytes(100);
      await write(s, '/small', tail, { at: 'end' });
      assert.equal(await s.knownDigest('/small', 'SHA-256'), sha256(Buffer.concat([small, tail])));
      await write(s, '/large2', large);
      await write(s, '/large2', tail, { at: 'end' });
      assert.equal(await s.knownDigest('/large2', 'SHA-256'), null);
      assert.ok((await readBytes(s, '/large2')).equals(Buffer.concat([large, tail])));
    });

    it('copies an object above the single-copy limit in parts, keeping its metadata but no digest', async () => {
      const location = newLocation();
      const data = randomBytes(11 * MiB);
      const from = `${location.prefix}src`;
      const { ETag } = await put(from, data, { color: 'blue', 'sockftp-sha256': 'f'.repeat(64) });
      await copyObject(client, bucket, { key: from, etag: ETag ?? '', size: data.length }, `${location.prefix}dst`, '/dst', 10 * MiB);
      const head = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: `${location.prefix}dst` }));
      assert.deepEqual(head.Metadata, { color: 'blue' });
      assert.match(head.ETag ?? '', /-2"$/);
      const s = open(location);
      assert.ok((await readBytes(s, '/dst')).equals(data));
      assert.equal(await s.knownDigest('/dst', 'SHA-256'), null);
    });

    it('sees nothing outside its prefix', async () => {
      const location = newLocation();
      await put(`${location.prefix}in/inside`);
      await put(`${location.prefix.slice(0, -1)}-other/outside`);
      await put(`${location.prefix.slice(0, -1)}x`);
      const s = open({ bucket, prefix: `${location.prefix}in/` });
      assert.deepEqual(await names(s, '/'), ['inside']);
      await assert.rejects(s.stat('/outside'), failsWith('NOT_FOUND'));
      const whole = open(location);
      assert.deepEqual(await names(whole, '/'), ['in']);
    });

    it('works over http with AWS_CA_BUNDLE set, and says so when the bundle cannot be read', async () => {
      const dir = tempDir();
      const bundle = join(dir, 'ca.pem');
      writeFileSync(bundle, rootCertificates.join('\n'));
      const before = process.env.AWS_CA_BUNDLE;
      process.env.AWS_CA_BUNDLE = bundle;
      try {
        const withBundle = createS3Client(settings);
        assert.equal((await new S3Storage(withBundle, newLocation(), settings).stat('/')).type, 'dir');
        await write(new S3Storage(withBundle, newLocation(), settings), '/f', 'over http');
        withBundle.destroy();
        process.env.AWS_CA_BUNDLE = join(dir, 'missing.pem');
        assert.throws(() => createS3Client(settings), /AWS_CA_BUNDLE=.*missing\.pem cannot be read/);
      } finally {
        if (before === undefined) delete process.env.AWS_CA_BUNDLE;
        else process.env.AWS_CA_BUNDLE = before;
        removeDir(dir);
      }
    });
  });

  describe('the sweep of left-over uploads', () => {
    it('aborts uploads older than the age under its prefix, and leaves young ones and other prefixes', async () => {
      const location = newLocation();
      const elsewhere = newLocation();
      await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${location.prefix}left-by-a-crash` }));
      await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${elsewhere.prefix}not-ours` }));
      assert.equal(await abortStaleUploads(client, location, 60 * 60 * 1000), 0);
      assert.deepEqual(await uploadsUnder(location.prefix), [`${location.prefix}left-by-a-crash`]);
      assert.equal(await abortStaleUploads(client, location, 0), 1);
      assert.deepEqual(await uploadsUnder(location.prefix), []);
      assert.deepEqual(await uploadsUnder(elsewhere.prefix), [`${elsewhere.prefix}not-ours`]);
    });

    it('sweeps as soon as it starts, and stops', async () => {
      const location = newLocation();
      await sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${location.prefix}old` }));
      let stop: () => Promise<void> = async () => undefined;
      const outcome = await new Promise<SweepOutcome>((resolve) => {
        stop = startUploadSweeper(client, location, { uploadSweepAgeMs: 0, sweepIntervalMs: 60 * 60 * 1000 }, resolve);
      });
      await stop();
      assert.deepEqual(outcome, { aborted: 1 });
      assert.deepEqual(await uploadsUnder(location.prefix), []);
    });
  });

  // Last: these stop the gateway, and the tests before them should not have to wonder whether it is back.
  describe('S3Storage when the store fails', () => {
    it('fails a download cut by the gateway going away with UNAVAILABLE, and reads again once it is back', async () => {
      const s = open();
      // Larger than the socket buffers between us and the gateway, so most of it is still to come when it dies.
      const data = randomBytes(32 * MiB);
      await write(s, '/big.bin', data);
      const download = (await s.openRead('/big.bin'))[Symbol.asyncIterator]();
      assert.equal((await download.next()).done, false);
      await rgw.stopGateway('SIGKILL');
      try {
        await assert.rejects(drain(download), failsWith('UNAVAILABLE'));
        await assert.rejects(s.stat('/big.bin'), failsWith('UNAVAILABLE'));
      } finally {
        await rgw.startGateway();
      }
      assert.ok((await readBytes(s, '/big.bin')).equals(data));
    });

    it('fails an upload cut by the gateway going away, and leaves the old object and only an upload for the sweep', async () => {
      const location = newLocation();
      const { s, upload } = await replaceWithParts(location, 6);
      await rgw.stopGateway('SIGKILL');
      try {
        await assert.rejects(pipeline(Readable.from([randomBytes(6 * MiB)]), upload.stream), failsWith('UNAVAILABLE'));
        await assert.rejects(upload.commit(), failsWith('UNAVAILABLE'));
        await upload.abort(false);
      } finally {
        await rgw.startGateway();
      }
      assert.equal(await read(s, '/keep.bin'), 'old');
      assert.deepEqual(await names(s, '/'), ['keep.bin']);
      // The abort could not reach the store: the upload is left, invisible, until the sweep.
      assert.deepEqual(await uploadsUnder(location.prefix), [`${location.prefix}keep.bin`]);
      assert.equal(await abortStaleUploads(client, location, 0), 1);
      await write(s, '/keep.bin', 'new');
      assert.equal(await read(s, '/keep.bin'), 'new');
    });

    it('says a missing bucket is unavailable storage, naming it', async () => {
      const s = open({ bucket: 'no-such-bucket-here', prefix: '' });
      await assert.rejects(names(s, '/'), (err: Error) => failsWith('UNAVAILABLE')(err) && /bucket does not exist/.test(err.message));
    });

    it('fails fast with UNAVAILABLE where nothing listens', async () => {
      const dead = s3Settings({ ...settings, endpoint: `http://127.0.0.1:${await freePort('127.0.0.1')}` });
      const deadClient = createS3Client(dead);
      try {
        await assert.rejects(new S3Storage(deadClient, newLocation(), dead).stat('/x'), failsWith('UNAVAILABLE'));
      } finally {
        deadClient.destroy();
      }
    });
  });
}

async function drain(chunks: AsyncIterator<unknown>): Promise<void> {
  while (!(await chunks.next()).done);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** Writes one chunk and waits for its callback, the way a sender honouring backpressure does. */
function writeChunk(upload: Upload, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => upload.stream.write(chunk, (err) => (err ? reject(err) : resolve())));
}

async function partsOf(sdk: S3Client, bucket: string, prefix: string): Promise<number> {
  const { Uploads = [] } = await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  const [upload] = Uploads;
  if (!upload) return 0;
  return ((await sdk.send(new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }))).Parts ?? []).length;
}
