/**
 * Sending a download's bytes to a data socket. A local file on a plain TCP
 * socket goes by sendfile(2) when the native addon is there (zeroCopy.ts).
 * Otherwise, when the storage reads into
 * buffers we own (a ChunkReader, the backend's fast read path), two pooled
 * buffers alternate: one is read from the file while the socket writes the
 * other, and neither is freed. Otherwise, the plain pipeline. Either way the
 * source is closed here, whatever happens: the caller hands it over.
 */
import type * as net from 'node:net';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SendSource } from '../core/FileOperations.js';
import type { ChunkReader } from '../core/Storage.js';
import { giveBuffer, takeBuffer } from './bufferPool.js';
import { destroyOnAbort, sendWithSendfile, write } from './zeroCopy.js';

/** `through` (TYPE A's line-end conversion) needs a stream source. */
export async function send(source: SendSource, socket: net.Socket, signal: AbortSignal, chunkBytes: number, through: Transform | null = null): Promise<void> {
  if (source.kind === 'stream') return through ? pipeline(source.stream, through, socket, { signal }) : pipeline(source.stream, socket, { signal });
  if (through) throw new Error('a line-end conversion needs a stream source');
  try {
    const file = source.reader.rawFile?.() ?? null;
    if (!(file && (await sendWithSendfile(file, socket, signal)))) await sendChunks(source.reader, socket, signal, chunkBytes);
    await end(socket);
  } finally {
    source.reader.close();
  }
}

async function sendChunks(source: ChunkReader, socket: net.Socket, signal: AbortSignal, chunkBytes: number): Promise<void> {
  const buffers = [takeBuffer(chunkBytes), takeBuffer(chunkBytes)];
  // A buffer is busy from the socket.write() that takes it until that write's callback.
  const written: Array<Promise<void> | null> = [null, null];
  const stopOnAbort = destroyOnAbort(socket, signal);
  try {
    for (let i = 0; ; i ^= 1) {
      if (written[i]) await written[i];
      if (signal.aborted) throw signal.reason;
      const n = await source.readInto(buffers[i]);
      if (n === 0) break;
      // The loop waits for this write before reading into the same buffer again: that is the backpressure.
      written[i] = write(socket, n === chunkBytes ? buffers[i] : buffers[i].subarray(0, n));
    }
    await Promise.all(written);
  } finally {
    stopOnAbort();
    // Every write callback runs, also on a destroyed socket; after that no one holds the buffers.
    await Promise.allSettled(written.map((w) => w ?? Promise.resolve()));
    buffers.forEach(giveBuffer);
  }
}

/** Ends the socket (the FIN) once everything written is flushed. */
function end(socket: net.Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.end(() => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** Closes a source that send() was never given (the data connection failed first); closing twice is harmless. */
export function closeSource(source: SendSource): void {
  if (source.kind === 'chunks') source.reader.close();
  else source.stream.destroy();
}
