/**
 * One upload to one key, streamed: the bytes are cut into parts of
 * partBytes, at most queueSize of them in flight, so memory stays near
 * partBytes × (queueSize + 1) whatever the file's size, and no temporary
 * file is written. Nothing is visible until commit(): an upload that stayed
 * under one part is a single PutObject then, a larger one a multipart upload
 * completed then. abort(), or any failure, aborts the multipart upload, and
 * the object that was there (or none) stays.
 *
 * The same writer serves in-place writes (APPE, REST + STOR): their object
 * starts with a head of the existing one, either bytes read beforehand or,
 * from 5 MiB on, parts copied server-side (UploadPartCopy). That is why it is
 * ours and not lib-storage's Upload, which can neither copy a part nor hold
 * the data back until commit.
 */
import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { alreadyExists, FileError } from '../../core/errors.js';
import type { Upload, WriteMode } from '../../core/Storage.js';
import { digestMetadata, multipartEtag, tagDigest } from './digests.js';
import { copySource } from './keys.js';
import { headObject } from './requests.js';
import { fromS3Error, s3Call } from './s3Errors.js';
import { copyRanges, rangeHeader } from './serverCopy.js';
import type { S3Settings } from './settings.js';

/** S3's limit on the parts of one upload. */
const MAX_PARTS = 10_000;
/** Where a part's buffer starts, and up to where it grows by doubling (see grow()). */
const MIN_BUFFER_BYTES = 64 * 1024;
const SMALL_BYTES = 256 * 1024;

/** What the new object starts with, before the data written to the stream. */
export type UploadHead =
  | { readonly kind: 'none' }
  /** The existing object's first bytes, read beforehand (under 5 MiB: too small to be a part of their own). */
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  /** The existing object's first `size` bytes, copied inside the store from the version with this ETag. */
  | { readonly kind: 'copy'; readonly sourceKey: string; readonly etag: string; readonly size: number };

export interface UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** The virtual path, for error messages. */
  readonly path: string;
  readonly mode: WriteMode;
  readonly head: UploadHead;
  readonly settings: Pick<S3Settings, 'partBytes' | 'queueSize'>;
}

export class ObjectUpload implements Upload {
  readonly stream: Writable;
  /** Null when the head is copied server-side: its bytes never pass here, so the digest cannot be known. */
  private readonly hash: Hash | null;
  /**
   * The part being filled: each chunk is copied into it once (a caller may
   * reuse its buffers once a write has called back), and it is sent as it is
   * when full, with no second copy to cut it out of a list of chunks.
   */
  private part: Buffer = Buffer.alloc(0);
  private filled = 0;
  private uploadId: Promise<string> | null = null;
  private readonly parts: CompletedPart[] = [];
  private nextPart = 1;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: FileError | null = null;
  private readonly cancel = new AbortController();
  private discarded: Promise<void> | null = null;
  private readonly ended: Promise<void>;

  constructor(private readonly target: UploadTarget) {
    const { head } = target;
    this.hash = head.kind === 'copy' ? null : createHash('sha256');
    // Under 5 MiB, so never a whole part: it only starts the first one.
    if (head.kind === 'bytes') this.keep(head.bytes, 0);
    if (head.kind === 'copy') this.copyHead(head);
    this.stream = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.accept(chunk).then(() => callback(), callback);
      },
      final: (callback) => {
        this.flush().then(() => callback(), callback);
      },
    });
    this.ended = finished(this.stream);
    // Also awaited by commit(); an upload given up before its end must not leave an unhandled rejection.
    this.ended.catch(() => undefined);
  }

  async commit(): Promise<void> {
    try {
      await this.ended;
      if (this.failure) throw this.failure;
      if (this.uploadId === null) await this.putWhole();
      else await this.complete(await this.uploadId);
    } catch (err) {
      await this.discard();
      throw this.failure ?? fromS3Error(err, this.target.path);
    }
  }

  /**
   * Every write here is a replacement that becomes visible only at commit, so
   * there is never partial data to keep: `keepWritten` changes nothing. A
   * client resuming after a failed APPE finds the object as it was before it.
   */
  async abort(): Promise<void> {
    this.stream.destroy();
    await this.discard();
  }

  /** Copies what of `chunk` from `offset` fits into the part being filled; returns how many bytes that was. */
  private keep(chunk: Buffer, offset: number): number {
    if (offset === 0) this.hash?.update(chunk);
    if (this.filled === this.part.length) this.grow(chunk.length - offset);
    const copied = chunk.copy(this.part, this.filled, offset);
    this.filled += copied;
    return copied;
  }

  /**
   * Makes room in the part: a small upload (most are) grows its buffer by
   * doubling, and past SMALL_BYTES it gets a whole part at once, so a large
   * upload copies at most SMALL_BYTES twice instead of every part.
   */
  private grow(wanted: number): void {
    const { partBytes } = this.target.settings;
    const needed = this.filled + wanted;
    const size = needed > SMALL_BYTES ? partBytes : Math.min(partBytes, Math.max(2 * this.part.length, MIN_BUFFER_BYTES, needed));
    const bigger = Buffer.allocUnsafe(size);
    this.part.copy(bigger, 0, 0, this.filled);
    this.part = bigger;
  }

  private async accept(chunk: Buffer): Promise<void> {
    this.checkOpen();
    for (let offset = 0; offset < chunk.length;) {
      offset += this.keep(chunk, offset);
      if (this.filled < this.target.settings.partBytes) continue;
      this.sendPart(this.takePart());
      while (this.inFlight.size >= this.target.settings.queueSize) await Promise.race(this.inFlight);
      this.checkOpen();
    }
  }

  /** The end of the data: a small upload waits for commit as it is, a multipart one sends its last part now. */
  private async flush(): Promise<void> {
    this.checkOpen();
    if (this.uploadId !== null && this.filled > 0) this.sendPart(this.takePart());
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    this.checkOpen();
  }

  /** A write that comes after a failure or an abort (it was waiting for a free slot) must not start a part. */
  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.discarded) throw new FileError('IO', `${this.target.path}: the upload was aborted`);
  }

  /** The part filled so far, handed over; the next one starts empty. */
  private takePart(): Buffer {
    const part = this.part.subarray(0, this.filled);
    this.part = Buffer.alloc(0);
    this.filled = 0;
    return part;
  }

  private multipart(): Promise<string> {
    const { client, bucket, key, path } = this.target;
    this.uploadId ??= s3Call(path, client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).then(({ UploadId }) => {
      if (!UploadId) throw new FileError('IO', `${path}: the object store started an upload without an id`);
      return UploadId;
    });
    return this.uploadId;
  }

  private sendPart(body: Buffer): void {
    const PartNumber = this.nextPart++;
    this.run(PartNumber, async (UploadId) => {
      const { client, bucket, key } = this.target;
      const out = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body, ContentLength: body.length }), {
        abortSignal: this.cancel.signal,
      });
      this.parts.push({ PartNumber, ETag: out.ETag });
    });
  }

  private copyHead(head: Extract<UploadHead, { kind: 'copy' }>): void {
    const { client, bucket, key } = this.target;
    for (const range of copyRanges(head.size)) {
      const PartNumber = this.nextPart++;
      this.run(PartNumber, async (UploadId) => {
        const out = await client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber,
            CopySource: copySource(bucket, head.sourceKey),
            CopySourceIfMatch: head.etag,
            CopySourceRange: rangeHeader(range),
          }),
          { abortSignal: this.cancel.signal },
        );
        this.parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
      });
    }
  }

  /** Runs one part's request in the multipart upload (started on the first part); a failure fails the whole upload. */
  private run(partNumber: number, request: (uploadId: string) => Promise<void>): void {
    if (partNumber > MAX_PARTS) {
      this.fail(new FileError('NO_SPACE', `${this.target.path}: larger than ${MAX_PARTS} parts of ${this.target.settings.partBytes} bytes`));
      return;
    }
    const running: Promise<void> = this.multipart()
      .then(request)
      .catch((err: unknown) => this.fail(err))
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  /** The first failure is the upload's: the stream errors with it (the sender stops) and the multipart upload is aborted at once. */
  private fail(err: unknown): void {
    if (this.failure || this.discarded) return;
    this.failure = fromS3Error(err, this.target.path);
    this.stream.destroy(this.failure);
    void this.discard();
  }

  /** Cancels the parts in flight, then aborts the multipart upload so the store frees them. Safe to call more than once. */
  private discard(): Promise<void> {
    this.discarded ??= (async () => {
      this.cancel.abort();
      await Promise.allSettled([...this.inFlight]);
      const uploadId = await this.uploadId?.catch(() => null);
      if (!uploadId) return;
      const { client, bucket, key } = this.target;
      // An abort that fails too (the store went away) leaves an invisible upload: the sweeper removes it later.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    })();
    return this.discarded;
  }

  /**
   * STOU's "only if the name is free" is an If-None-Match on the PutObject,
   * which RGW 16 honours: atomic.
   */
  private async putWhole(): Promise<void> {
    const { client, bucket, key } = this.target;
    const body = this.takePart();
    const Metadata = digestMetadata((this.hash as Hash).digest('hex'));
    await this.call(client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, Metadata, ...this.ifNameFree() })));
  }

  /**
   * For STOU, RGW 16 ignores If-None-Match on CompleteMultipartUpload (it is
   * still sent, for the stores that honour it), so the name is checked just
   * before: a check, not atomic; a name taken between the two is replaced.
   */
  private async complete(UploadId: string): Promise<void> {
    const { client, bucket, key, path, mode } = this.target;
    if (mode === 'create' && (await headObject(client, bucket, key, path)) !== null) throw alreadyExists(path);
    const Parts = [...this.parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await this.call(client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts }, ...this.ifNameFree() })));
    if (this.hash === null) return;
    // The object is complete and visible: a failure to tag it only loses the digest, and HASH then reads the object.
    const etag = multipartEtag(Parts.map((part) => part.ETag ?? ''));
    await tagDigest(client, bucket, key, etag, this.hash.digest('hex')).catch(() => undefined);
  }

  /** The condition that makes a write STOU's: no object of that name yet. */
  private ifNameFree(): { IfNoneMatch?: string } {
    return this.target.mode === 'create' ? { IfNoneMatch: '*' } : {};
  }

  /** A request that makes the object, its failure as an FileError; the condition failing means the name was taken. */
  private async call<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (err) {
      if (this.target.mode === 'create' && (err as { name?: string }).name === 'PreconditionFailed') throw alreadyExists(this.target.path);
      throw fromS3Error(err, this.target.path);
    }
  }
}
