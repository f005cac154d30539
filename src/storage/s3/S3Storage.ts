/**
 * Storage on an S3 bucket (AWS, Ceph RGW, any S3-compatible store), under a
 * key prefix that is its root (keys.ts maps paths to keys).
 *
 * Directories are key prefixes. mkdir writes an empty marker object "dir/",
 * so an empty directory exists; a prefix with keys under it and no marker
 * (written by another tool) is a directory all the same. When a delete or a
 * rename takes the last key out of such a directory, a marker is written, so
 * the directory stays until it is removed, as on a disk.
 *
 * What S3 cannot do as a file system does, and what is done instead:
 * - uploads are never in place: APPE and REST + STOR build a new object from
 *   a head of the old one and the new data (ObjectUpload.ts), and it
 *   replaces the old one atomically at commit;
 * - STOU's "only if the name is free" is atomic for an upload of one part
 *   (If-None-Match on PutObject, which RGW 16 honours) and a check just
 *   before completion for a multipart one (RGW 16 ignores the condition on
 *   CompleteMultipartUpload);
 * - a rename is a copy and then a delete, not atomic; a directory's rename
 *   copies every key under it, and is refused above maxRenameKeys.
 * No modification times, no permission bits: S3 sets LastModified itself and
 * has no mode.
 */
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client, type _Object } from '@aws-sdk/client-s3';
import type { FileInfo, FileStream, Storage, Upload, WriteMode } from '../../core/Storage.js';
import type { HashAlgorithm } from '../../core/digests.js';
import { baseName, parentOf } from '../../core/virtualPath.js';
import { alreadyExists, badArgument, isADirectory, isFileError, notADirectory, notEmpty, notFound, notSupported, permissionDenied } from '../../core/errors.js';
import { heldDigest } from './digests.js';
import { KeySpace } from './keys.js';
import type { S3Location } from './location.js';
import { emptyStream, ObjectStream } from './ObjectStream.js';
import { ObjectUpload, type UploadHead } from './ObjectUpload.js';
import { forEachLimited } from './pool.js';
import { firstKeys, headObject, listPages } from './requests.js';
import { fromS3Error, s3Call } from './s3Errors.js';
import { copyObject, type ObjectRef } from './serverCopy.js';
import { MIN_PART_BYTES, type S3Settings } from './settings.js';

/** A prefix's directories have no time of their own in a listing (S3 keeps none for a prefix). */
const NO_TIME = new Date(0);
/** Copies at once in a directory rename. */
const COPIES_AT_ONCE = 16;
/** S3's limit of keys in one DeleteObjects. */
const DELETE_BATCH = 1000;

export class S3Storage implements Storage {
  readonly kind = 's3';
  private readonly keys: KeySpace;
  private readonly bucket: string;

  constructor(
    private readonly client: S3Client,
    location: S3Location,
    private readonly settings: S3Settings,
  ) {
    this.bucket = location.bucket;
    this.keys = new KeySpace(location.prefix);
  }

  async stat(path: string): Promise<FileInfo> {
    const name = baseName(path);
    if (path === '/') return dirInfo(name, NO_TIME);
    const head = await this.head(path);
    if (head) return fileInfo(name, head.ContentLength, head.LastModified);
    const [first] = await this.under(path, 1);
    if (!first) throw notFound(path);
    return dirInfo(name, first.Key === this.keys.dir(path) ? (first.LastModified ?? NO_TIME) : NO_TIME);
  }

  /** A page per ListObjectsV2 response, yielded as it comes: a directory of a million keys is never held at once. */
  async *list(path: string): AsyncIterable<FileInfo[]> {
    const prefix = this.keys.dir(path);
    let first = true;
    for await (const page of listPages(this.client, this.bucket, prefix, '/', path)) {
      const dirs = (page.CommonPrefixes ?? []).map((p) => dirInfo((p.Prefix ?? '').slice(prefix.length, -1), NO_TIME));
      const files = (page.Contents ?? []).map((o) => fileInfo((o.Key ?? '').slice(prefix.length), o.Size, o.LastModified));
      // An empty first page: nothing under the prefix, not even a marker (the root always exists).
      if (first && path !== '/' && dirs.length + files.length === 0) throw await this.notADirectoryError(path);
      first = false;
      // The marker is the directory's own key (name ''), and "a//b" gives an empty name too: neither is an entry.
      yield [...dirs, ...files].filter((entry) => entry.name !== '');
    }
  }

  async openRead(path: string, start = 0, chunkBytes?: number): Promise<FileStream> {
    if (path === '/') throw isADirectory(path);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keys.file(path), ...(start > 0 && { Range: `bytes=${start}-` }) }),
      );
      // With a range, ContentLength is the range's; the whole object's size is after the slash of "bytes 6-10/11".
      const size = start > 0 ? Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1]) : (out.ContentLength ?? 0);
      return new ObjectStream(out.Body as Readable, size, path, chunkBytes);
    } catch (err) {
      // 416: the start is at or past the end. That leaves nothing to read, which the caller judges, not us.
      const head = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416 ? await this.head(path) : null;
      if (head) return emptyStream(head.ContentLength ?? 0);
      const error = fromS3Error(err, path);
      if (isFileError(error, 'NOT_FOUND') && (await this.isDir(path))) throw isADirectory(path);
      throw error;
    }
  }

  async openWrite(path: string, mode: WriteMode): Promise<Upload> {
    await this.checkWritable(path);
    return this.upload(path, mode, { kind: 'none' });
  }

  /**
   * APPE (offset 'end') and REST + STOR: a new object of the old one's first
   * `offset` bytes and then the new data, replacing the old one at commit. A
   * head of 5 MiB or more is copied inside the store, a smaller one read
   * here (it cannot be a part of its own); a head copied inside the store
   * leaves the new object without a digest, since its bytes never pass here.
   */
  async openWriteAt(path: string, offset: number | 'end'): Promise<Upload> {
    const [head] = await Promise.all([this.head(path), this.checkWritable(path)]);
    const size = head?.ContentLength ?? 0;
    const keep = offset === 'end' ? size : offset;
    if (keep > size) throw badArgument(`${path}: offset ${keep} is past the end of the file (${size} bytes)`);
    if (keep === 0 || !head?.ETag) return this.upload(path, 'replace', { kind: 'none' });
    if (keep >= MIN_PART_BYTES) return this.upload(path, 'replace', { kind: 'copy', sourceKey: this.keys.file(path), etag: head.ETag, size: keep });
    return this.upload(path, 'replace', { kind: 'bytes', bytes: await this.readHead(path, keep, head.ETag) });
  }

  async mkdir(path: string): Promise<void> {
    if (path === '/') throw alreadyExists(path);
    const [head, isDir] = await Promise.all([this.head(path), this.isDir(path), this.checkParent(path)]);
    if (head || isDir) throw alreadyExists(path);
    await this.putMarker(path);
  }

  async rmdir(path: string): Promise<void> {
    if (path === '/') throw permissionDenied(path);
    const marker = this.keys.dir(path);
    const keys = await this.under(path, 2);
    if (keys.length === 0) throw await this.notADirectoryError(path);
    if (keys.some((o) => o.Key !== marker)) throw notEmpty(path);
    await this.deleteKeys([marker], path);
    await this.keepParent(path);
  }

  async delete(path: string): Promise<void> {
    if (path === '/') throw isADirectory(path);
    // DeleteObject succeeds whether or not the key exists, so existence is asked first.
    if (!(await this.head(path))) throw (await this.isDir(path)) ? isADirectory(path) : notFound(path);
    await this.deleteKeys([this.keys.file(path)], path);
    await this.keepParent(path);
  }

  /** A copy and then a delete, not atomic: a failure between the two leaves both names. */
  async rename(from: string, to: string): Promise<void> {
    if (from === '/') throw permissionDenied(from);
    const head = await this.head(from);
    if (!head && !(await this.isDir(from))) throw notFound(from);
    if (from === to) return;
    if (to === '/' || to.startsWith(from + '/')) throw permissionDenied(to);
    const [target, targetKeys] = await Promise.all([this.head(to), this.under(to, 2), this.checkParent(to)]);
    if (head) {
      if (targetKeys.length > 0) throw isADirectory(to);
      await copyObject(this.client, this.bucket, objectRef(this.keys.file(from), head.ETag, head.ContentLength), this.keys.file(to), from);
      await this.deleteKeys([this.keys.file(from)], from);
    } else {
      if (target) throw notADirectory(to);
      // A directory may take the place of an empty one (only its marker), as rename(2) allows.
      if (targetKeys.some((o) => o.Key !== this.keys.dir(to))) throw notEmpty(to);
      await this.renameDir(from, to);
    }
    await this.keepParent(from);
  }

  async knownDigest(path: string, algorithm: HashAlgorithm): Promise<string | null> {
    if (algorithm !== 'SHA-256') return null;
    const head = await this.head(path);
    if (!head) throw notFound(path);
    return heldDigest(this.client, this.bucket, this.keys.file(path), path, head);
  }

  /** Every key under the directory, copied and then deleted; the count is checked before anything is copied. */
  private async renameDir(from: string, to: string): Promise<void> {
    const fromPrefix = this.keys.dir(from);
    const toPrefix = this.keys.dir(to);
    const objects: ObjectRef[] = [];
    for await (const page of listPages(this.client, this.bucket, fromPrefix, undefined, from)) {
      for (const o of page.Contents ?? []) objects.push(objectRef(o.Key ?? '', o.ETag, o.Size));
      if (objects.length > this.settings.maxRenameKeys) {
        throw notSupported(
          `${from}: more than ${this.settings.maxRenameKeys} objects; on S3 a directory is renamed by copying and deleting each one, so this one is refused`,
        );
      }
    }
    const copied: string[] = [];
    try {
      await forEachLimited(objects, COPIES_AT_ONCE, async (object) => {
        const toKey = toPrefix + object.key.slice(fromPrefix.length);
        await copyObject(this.client, this.bucket, object, toKey, this.keys.pathOf(object.key));
        copied.push(toKey);
      });
    } catch (err) {
      // The source is untouched: take the copies back, so the failed rename leaves one name, not two half trees.
      await this.deleteKeys(copied, to).catch(() => undefined);
      throw err;
    }
    await this.deleteKeys(
      objects.map((o) => o.key),
      from,
    );
  }

  private upload(path: string, mode: WriteMode, head: UploadHead): Upload {
    return new ObjectUpload({ client: this.client, bucket: this.bucket, key: this.keys.file(path), path, mode, head, settings: this.settings });
  }

  /** A file may be written at `path`: it is not a directory, and its parent is one. */
  private async checkWritable(path: string): Promise<void> {
    if (path === '/') throw isADirectory(path);
    const [isDir] = await Promise.all([this.isDir(path), this.checkParent(path)]);
    if (isDir) throw isADirectory(path);
  }

  /** The parent must exist, as on a disk; S3 itself would take any key. */
  private async checkParent(path: string): Promise<void> {
    const parent = parentOf(path);
    if (!(await this.isDir(parent))) throw await this.notADirectoryError(parent);
  }

  /** Why `path` is not a directory: it is a file, or nothing at all. */
  private async notADirectoryError(path: string): Promise<Error> {
    return (await this.head(path)) ? notADirectory(path) : notFound(path);
  }

  private async isDir(path: string): Promise<boolean> {
    return path === '/' || (await this.under(path, 1)).length > 0;
  }

  /** After the last key under a directory is gone, a marker keeps the directory, as on a disk. */
  private async keepParent(path: string): Promise<void> {
    const parent = parentOf(path);
    if (!(await this.isDir(parent))) await this.putMarker(parent);
  }

  private async putMarker(path: string): Promise<void> {
    await s3Call(path, this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keys.dir(path), Body: Buffer.alloc(0), ContentLength: 0 })));
  }

  /** DeleteObjects takes up to 1,000 keys a request; a key it could not delete is reported in its answer, not as an error. */
  private async deleteKeys(keys: readonly string[], path: string): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const Objects = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }));
      const { Errors = [] } = await s3Call(path, this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } })));
      const [failed] = Errors;
      if (failed) throw fromS3Error(Object.assign(new Error(failed.Message ?? 'delete failed'), { name: failed.Code }), this.keys.pathOf(failed.Key ?? ''));
    }
  }

  private head(path: string) {
    return headObject(this.client, this.bucket, this.keys.file(path), path);
  }

  private under(path: string, count: number): Promise<_Object[]> {
    return firstKeys(this.client, this.bucket, this.keys.dir(path), count, path);
  }

  /** The object's first `bytes`, from the version with `etag` (the one whose size was checked). */
  private async readHead(path: string, bytes: number, etag: string): Promise<Buffer> {
    const out = await s3Call(
      path,
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keys.file(path), Range: `bytes=0-${bytes - 1}`, IfMatch: etag })),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of new ObjectStream(out.Body as Readable, bytes, path)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

function objectRef(key: string, etag: string | undefined, size: number | undefined): ObjectRef {
  return { key, etag: etag ?? '', size: size ?? 0 };
}

function fileInfo(name: string, size: number | undefined, mtime: Date | undefined): FileInfo {
  return { name, type: 'file', size: size ?? 0, mtime: mtime ?? NO_TIME };
}

function dirInfo(name: string, mtime: Date): FileInfo {
  return { name, type: 'dir', size: 0, mtime };
}
