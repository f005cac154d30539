/**
 * A GetObject body as the FileStream the caller reads: its errors become
 * FileErrors (a store that goes away mid-download is UNAVAILABLE, not
 * a bare ECONNRESET), and destroying it at any time destroys the HTTP
 * response, so its socket is closed rather than left to the pool half read.
 */
import { Readable } from 'node:stream';
import type { FileStream } from '../../core/Storage.js';
import { fromS3Error } from './s3Errors.js';

export class ObjectStream extends Readable implements FileStream {
  constructor(
    private readonly body: Readable,
    readonly size: number,
    path: string,
    highWaterMark?: number,
  ) {
    super(highWaterMark ? { highWaterMark } : {});
    body.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) body.pause();
    });
    body.once('end', () => this.push(null));
    // A response cut before its Content-Length is an 'error' (ECONNRESET, "aborted") from Node's http.
    body.once('error', (err) => this.destroy(fromS3Error(err, path)));
  }

  override _read(): void {
    this.body.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.body.destroy();
    callback(err);
  }
}

/** What is left of an object from `start` on, when that is nothing: a read past the end is the caller's to judge. */
export function emptyStream(size: number): FileStream {
  return Object.assign(Readable.from([]), { size });
}
