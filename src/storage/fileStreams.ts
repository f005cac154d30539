/**
 * Streams over an open file handle, for LocalStorage. They differ from
 * fs.ReadStream/WriteStream in two ways that matter to the server: their
 * errors are already translated into FtpError kinds, and the read side uses
 * big buffers (1 MiB reads send 3-4x faster than Node's 64 KiB default).
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { fileChanged } from '../errors.js';
import { fromSystemError } from './systemErrors.js';

export const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * An optional capability of a storage read stream: reading into a buffer the
 * caller owns, so a sender can reuse a few buffers instead of allocating one
 * per chunk (and leaving the garbage collector behind at 200 transfers).
 * Returns 0 at the end; the stream is destroyed by its owner afterwards.
 */
export interface ReadsInto {
  readInto(buffer: Buffer): Promise<number>;
}

export function readsInto(stream: unknown): stream is ReadsInto & Readable {
  return typeof (stream as Partial<ReadsInto> | null)?.readInto === 'function';
}

export class FileSource extends Readable implements ReadsInto {
  private position: number;

  /**
   * `size` is the file's size when it was opened: reaching end of file before
   * it means the file was truncated under us, and the transfer must fail
   * rather than end as if complete. A file that grows is sent as it grows.
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly virtualPath: string,
    start: number,
    readonly size: number,
    private readonly chunkBytes = FILE_CHUNK_BYTES,
  ) {
    super({ highWaterMark: chunkBytes });
    this.position = start;
  }

  override _read(): void {
    const buffer = Buffer.allocUnsafe(this.chunkBytes);
    this.readInto(buffer).then(
      (bytesRead) => this.push(bytesRead === 0 ? null : bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead)),
      (err: unknown) => this.destroy(err as Error),
    );
  }

  async readInto(buffer: Buffer): Promise<number> {
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.position));
    } catch (err) {
      throw fromSystemError(err, this.virtualPath);
    }
    if (bytesRead === 0 && this.position < this.size) throw fileChanged(this.virtualPath);
    this.position += bytesRead;
    return bytesRead;
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.handle.close().then(
      () => callback(err),
      () => callback(err),
    );
  }
}

export class FileSink extends Writable {
  private position: number | null;

  /** `position` null appends (O_APPEND); a number writes from that offset. */
  constructor(
    private readonly handle: FileHandle,
    private readonly virtualPath: string,
    position: number | null,
  ) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
    this.position = position;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), (err: unknown) => callback(fromSystemError(err, this.virtualPath)));
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (err?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), (err: unknown) => callback(fromSystemError(err, this.virtualPath)));
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.handle.close().then(() => callback(), (err: unknown) => callback(fromSystemError(err, this.virtualPath)));
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // After _final the handle is already closed; closing again only rejects, which is harmless here.
    this.handle.close().then(
      () => callback(err),
      () => callback(err),
    );
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending, this.position ?? undefined);
      if (this.position !== null) this.position += bytesWritten;
      pending = dropBytes(pending, bytesWritten);
    }
  }
}

/** What is left of `buffers` after the first `n` bytes were written (a short write is rare but legal). */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  const rest = buffers.slice(i);
  rest[0] = rest[0]!.subarray(skip);
  return rest;
}
