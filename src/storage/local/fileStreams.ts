/**
 * Streams over an open file descriptor, for LocalStorage. They differ from
 * fs.ReadStream/WriteStream in ways that matter to the server: their errors
 * are already translated into FileError kinds, the read side uses big
 * buffers (1 MiB reads send 3-4x faster than Node's 64 KiB default) and can
 * read into buffers the caller owns, and the descriptor is closed inline.
 *
 * Writes are inline (fs.writevSync) too, for as long as they land in the
 * page cache fast: a round trip to the pool costs more than 100 us here,
 * against a few for a 4 KiB write, and for a 1 GiB STOR the pool's thread
 * was a third thread beside the client and the event loop on two cores
 * (inline: 1.4-1.5x the MiB/s, 0.7x the server's CPU, interleaved). A write
 * that took over SLOW_WRITE_MS (writeback throttling, a disk) sends every
 * upload's writes, past their first INLINE_BYTES, through the pool for
 * POOL_WRITES_MS, so a throttled disk holds the event loop for one write
 * every few seconds, not for all of them. Reads are inline (fs.readSync) for as
 * long as the file comes from the page cache: at 200 downloads the pool's
 * round trips (a thread woken per read, the result posted back) took a
 * quarter of the main thread, and the pool threads another 0.3 CPU s/GiB;
 * inline, a 512 KiB read from the page cache is one copy of about 0.1 ms.
 * A read that waited for the disk (it took over SLOW_READ_MS and the
 * process did block input meanwhile) sends the rest of that file through
 * the pool, so a file off the disk holds the event loop for one read, not
 * all of them (sendfile on the native path waits for the disk every time).
 * Closing is inline too.
 *
 * A file on a mount that may not answer (a network or FUSE filesystem,
 * mounts.ts) has a lane instead: every read, write and close goes through
 * the pool in that mount's lane (lanes.ts), from the first byte, and it has
 * no raw descriptor for sendfile, which would wait on the event loop. Its
 * close too: closing a file on FUSE waits for the daemon's answer to FLUSH,
 * and on NFS for the writes it still holds.
 */
import * as fs from 'node:fs';
import { Readable, Writable } from 'node:stream';
import type { ChunkReader, RawFile } from '../../core/Storage.js';
import { fileChanged } from '../../core/errors.js';
import type { Lane } from './lanes.js';
import { inLane } from './systemCalls.js';
import { fromSystemError } from './systemErrors.js';

export const FILE_CHUNK_BYTES = 1024 * 1024;

/** How much of a file is written inline even while writes go through the pool; bounds how long one call can hold the event loop. */
const INLINE_BYTES = 256 * 1024;

/** A write into the page cache takes well under this; one that took longer waited (writeback throttling, the disk). */
const SLOW_WRITE_MS = 20;
/** After a slow write, every upload's writes go through the pool for this long. */
const POOL_WRITES_MS = 5_000;
let poolWritesUntil = 0;

/** A read from the page cache takes well under this; one that took longer may have waited for the disk. */
const SLOW_READ_MS = 2;

/** The process's block input count (getrusage's ru_inblock) when last looked at. */
let blockInput = process.resourceUsage().fsRead;

/** Whether the process read from a block device since this was last asked: only asked after a slow read (a getrusage call costs ~2 us). */
function readFromDisk(): boolean {
  const now = process.resourceUsage().fsRead;
  const did = now > blockInput;
  blockInput = now;
  return did;
}

/**
 * A descriptor closed once, and never while a read or write on it is still
 * in the thread pool: the number could be handed to another file meanwhile,
 * and that late write would land in it. Such a close waits for the operation.
 */
class Descriptor {
  private open = true;
  private busy = 0;
  private closeWhenIdle = false;

  /** With a lane, every call on the descriptor goes through the pool in it. */
  constructor(
    readonly fd: number,
    readonly lane: Lane | null,
  ) {}

  /** A thread-pool operation is pending on it. */
  isBusy(): boolean {
    return this.busy > 0;
  }

  /** `op` runs in the lane, if there is one. */
  async use<T>(op: (fd: number) => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await (this.lane ? this.lane.run(() => op(this.fd)) : op(this.fd));
    } finally {
      this.busy--;
      if (this.busy === 0 && this.closeWhenIdle) void this.close()?.catch(() => undefined);
    }
  }

  /** An inline call on the descriptor; no thread-pool operation can be pending on it then, or the caller would be awaiting it. */
  now<T>(vpath: string, call: (fd: number) => T): T {
    try {
      return call(this.fd);
    } catch (err) {
      throw fromSystemError(err, vpath);
    }
  }

  /**
   * Closes inline, or in the lane, whose promise says how it went. A close
   * asked for while an operation is pending happens after it, unreported.
   */
  close(): Promise<void> | undefined {
    if (!this.open) return undefined;
    if (this.busy > 0) {
      this.closeWhenIdle = true;
      return undefined;
    }
    this.open = false;
    if (this.lane === null) {
      fs.closeSync(this.fd);
      return undefined;
    }
    return inLane<void>(this.lane, (cb) => fs.close(this.fd, (err) => cb(err, undefined)));
  }
}

/** A file being read: a stream, and also a ChunkReader (core/Storage.ts) for the pooled send path. */
export class FileSource extends Readable implements ChunkReader {
  private readonly file: Descriptor;
  private next: number;
  private atEnd = false;
  /** Set once a read waited for the disk, or from the start with a lane: the rest goes through the thread pool. */
  private viaPool: boolean;

  /**
   * `size` is the file's size when it was opened: reaching end of file before
   * it means the file was truncated under us, and the transfer must fail
   * rather than end as if complete. `lane`: the file's mount may not answer.
   */
  constructor(
    fd: number,
    private readonly virtualPath: string,
    start: number,
    readonly size: number,
    private readonly chunkBytes = FILE_CHUNK_BYTES,
    lane: Lane | null = null,
  ) {
    super({ highWaterMark: chunkBytes });
    this.file = new Descriptor(fd, lane);
    this.next = start;
    this.viaPool = lane !== null;
  }

  /** Where the next readInto() starts. */
  get position(): number {
    return this.next;
  }

  override _read(): void {
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    this.readInto(buffer).then(
      (bytesRead) => this.push(bytesRead === 0 ? null : bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead)),
      (err: unknown) => this.destroy(err as Error),
    );
  }

  async readInto(buffer: Buffer): Promise<number> {
    if (this.atEnd) return 0;
    // The range is taken now, so reads may overlap: each reads the bytes after the previous call's.
    const position = this.next;
    this.next += buffer.length;
    const bytesRead = this.viaPool ? await this.readPooled(buffer, position) : this.readInline(buffer, position);
    // A regular file reads short only at its end: no second read to learn that (a small file is one read).
    if (bytesRead < buffer.length) {
      this.atEnd = true;
      if (position + bytesRead < this.size) throw fileChanged(this.virtualPath);
    }
    return bytesRead;
  }

  private readInline(buffer: Buffer, position: number): number {
    const started = performance.now();
    const bytesRead = this.file.now(this.virtualPath, (fd) => fs.readSync(fd, buffer, 0, buffer.length, position));
    if (performance.now() - started > SLOW_READ_MS && readFromDisk()) this.viaPool = true;
    return bytesRead;
  }

  private readPooled(buffer: Buffer, position: number): Promise<number> {
    return this.file.use(
      (fd) =>
        new Promise<number>((resolve, reject) =>
          fs.read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(fromSystemError(err, this.virtualPath)) : resolve(n))),
        ),
    );
  }

  close(): void {
    this.destroy();
  }

  /**
   * The descriptor for a zero-copy sender, at the position the next read
   * would start; null once closed, while a read is pending, or on a mount
   * that may not answer (sendfile would wait for it on the event loop).
   */
  rawFile(): RawFile | null {
    if (this.destroyed || this.file.isBusy() || this.file.lane !== null) return null;
    return {
      fd: this.file.fd,
      position: this.next,
      size: this.size,
      fail: (err) => (err === 'truncated' ? fileChanged(this.virtualPath) : fromSystemError(err, this.virtualPath)),
    };
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    try {
      // Nothing was written through this descriptor: a failing close loses nothing.
      void this.file.close()?.catch(() => undefined);
    } catch {
      // As above, inline.
    }
    callback(err);
  }
}

export class FileSink extends Writable {
  private readonly file: Descriptor;
  private position: number | null;
  /** Bytes written so far, which decides whether the next write is made inline. */
  private inlined = 0;

  /** `position` null appends (O_APPEND); a number writes from that offset. `lane`: the file's mount may not answer. */
  constructor(
    fd: number,
    private readonly virtualPath: string,
    position: number | null,
    lane: Lane | null = null,
  ) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
    this.file = new Descriptor(fd, lane);
    this.position = position;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (err?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  /** close(2) can report a write the kernel could not complete (NFS, quotas): that fails the upload. */
  override _final(callback: (err?: Error | null) => void): void {
    const failed = (err: unknown) => callback(fromSystemError(err, this.virtualPath));
    try {
      const closing = this.file.close();
      if (closing) closing.then(() => callback(), failed);
      else callback();
    } catch (err) {
      failed(err);
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    try {
      // A destroyed upload is discarded: what close(2) says about it no longer matters.
      void this.file.close()?.catch(() => undefined);
    } catch {
      // As above, inline.
    }
    callback(err);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    while (pending.length > 0) {
      const chunks = pending;
      const bytes = chunks.reduce((sum, c) => sum + c.length, 0);
      const inline = this.file.lane === null && (this.inlined + bytes <= INLINE_BYTES || performance.now() >= poolWritesUntil);
      const began = inline ? performance.now() : 0;
      const written = inline
        ? this.file.now(this.virtualPath, (fd) => fs.writevSync(fd, chunks, this.position ?? undefined))
        : await this.file.use(
            (fd) =>
              new Promise<number>((resolve, reject) =>
                fs.writev(fd, chunks, this.position, (err, n) => (err ? reject(fromSystemError(err, this.virtualPath)) : resolve(n))),
              ),
          );
      if (inline && performance.now() - began > SLOW_WRITE_MS) poolWritesUntil = performance.now() + POOL_WRITES_MS;
      this.inlined += written;
      if (this.position !== null) this.position += written;
      pending = dropBytes(pending, written);
    }
  }
}

/** What is left of `buffers` after the first `n` bytes were written (a short write is rare but legal). */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i].length) skip -= buffers[i++].length;
  if (i === buffers.length) return [];
  const rest = buffers.slice(i);
  rest[0] = rest[0].subarray(skip);
  return rest;
}
