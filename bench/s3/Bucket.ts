/**
 * The bucket every contender serves, and the raw SDK's side of the run: the
 * fixture objects, the clean-up between rounds, and the transfers that are
 * "what the store gives without FTP" (the ceiling of every row). The client
 * is test/helpers/rgw.ts's: path-style, checksums only where S3 requires them.
 */
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Rgw } from '../../test/helpers/rgw.js';
import { S3_DEFAULTS } from '../../src/storage/s3/settings.js';
import { MiB } from '../paths.js';

/** S3's limit of keys in one DeleteObjects, and of keys in one ListObjectsV2 page. */
const KEYS_PER_REQUEST = 1000;
/** How long an upload may take to appear whole after its last reply (s3fs uploads on close), and how often to look. */
const WAIT_FOR_OBJECT_MS = 120_000;
const POLL_MS = 5;
/** Requests in flight while the fixture is written (not measured). */
const FIXTURE_CONCURRENCY = 16;
/** Random, so nothing on the way can compress it; sent again and again, like the FTP client's writer. */
const UPLOAD_CHUNK = randomBytes(MiB);

export class Bucket {
  readonly client: S3Client;

  constructor(
    readonly rgw: Rgw,
    readonly name: string,
  ) {
    this.client = rgw.client;
  }

  /** One object of `bytes` random bytes, fresh for every MiB (a fixture no layer can deduplicate). */
  async putRandom(key: string, bytes: number): Promise<void> {
    await this.upload(key, bytes, () => randomBytes(MiB));
  }

  /** `count` empty objects `${prefix}entry-00000.txt` and on, a few at a time. */
  async putEmpty(prefix: string, count: number): Promise<void> {
    const keys = Array.from({ length: count }, (_, i) => `${prefix}entry-${String(i).padStart(5, '0')}.txt`);
    await inParallel(keys, FIXTURE_CONCURRENCY, (Key) => this.client.send(new PutObjectCommand({ Bucket: this.name, Key, Body: '', ContentLength: 0 })));
  }

  /** An empty `prefix/` object: a directory both sockftp and s3fs show before anything is stored in it. */
  async putDirectory(prefix: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: prefix, Body: '', ContentLength: 0 }));
  }

  /**
   * lib-storage's Upload, with sockftp's own part size and concurrency:
   * one PutObject below a part, a multipart upload above.
   */
  async upload(key: string, bytes: number, chunk: () => Buffer = () => UPLOAD_CHUNK): Promise<void> {
    const Body = Readable.from(chunks(bytes, chunk));
    await new Upload({
      client: this.client,
      params: { Bucket: this.name, Key: key, Body },
      partSize: S3_DEFAULTS.partBytes,
      queueSize: S3_DEFAULTS.queueSize,
    }).done();
  }

  /** PutObject of `bytes` (at most a MiB) random bytes. */
  async put(key: string, bytes: number): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: UPLOAD_CHUNK.subarray(0, bytes) }));
  }

  /** GetObject, the body counted and dropped; resolves with its length. */
  async get(key: string): Promise<number> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
    let bytes = 0;
    for await (const part of Body as Readable) bytes += (part as Buffer).length;
    return bytes;
  }

  /** Polls HeadObject until `key` holds `bytes` bytes; throws after `timeoutMs` with the size it last saw. */
  async waitForSize(key: string, bytes: number, timeoutMs = WAIT_FOR_OBJECT_MS): Promise<void> {
    let size: number | string = 'no object';
    for (const deadline = performance.now() + timeoutMs; ; await delay(POLL_MS)) {
      try {
        size = (await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }))).ContentLength ?? 0;
        if (size === bytes) return;
      } catch (err) {
        if ((err as { name?: string }).name !== 'NotFound') throw err;
      }
      if (performance.now() >= deadline) throw new Error(`${key}: the store holds ${size} of ${bytes} bytes after ${timeoutMs} ms`);
    }
  }

  /** The keys and common prefixes directly under `prefix`, as a listing of that directory sees them. */
  async list(prefix: string): Promise<number> {
    let entries = 0;
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, Delimiter: '/', ContinuationToken }));
      entries += (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return entries;
  }

  /** Deletes `key`, or every key that starts with it; RGW's gc gives the memory back within a minute. */
  async remove(prefix: string): Promise<void> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken, MaxKeys: KEYS_PER_REQUEST }));
      const Objects = (page.Contents ?? []).map(({ Key }) => ({ Key: Key! }));
      if (Objects.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects, Quiet: true } }));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
  }
}

function* chunks(bytes: number, chunk: () => Buffer): Generator<Buffer> {
  for (let left = bytes; left > 0;) {
    const next = chunk();
    const part = left >= next.length ? next : next.subarray(0, left);
    left -= part.length;
    yield part;
  }
}

async function inParallel<T>(items: readonly T[], concurrency: number, each: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await each(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
