/**
 * Sending a download's bytes to a data socket. A local file on a plain TCP
 * socket goes by sendfile(2) when the native addon is there (zeroCopy.ts).
 * Otherwise, when the storage reads into buffers we own (a ChunkReader, the
 * backend's fast read path), a ring of slabs from a server-wide budget
 * (sendRing.ts). Otherwise, the plain pipeline. Either way the source is
 * closed here, whatever happens: the caller hands it over.
 */
import type * as net from 'node:net';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SendSource } from '../core/FileOperations.js';
import { sendRing } from './sendRing.js';
import { sendWithSendfile } from './zeroCopy.js';

/** `through` (TYPE A's line-end conversion) needs a stream source. */
export async function send(source: SendSource, socket: net.Socket, signal: AbortSignal, through: Transform | null = null): Promise<void> {
  if (source.kind === 'stream') return through ? pipeline(source.stream, through, socket, { signal }) : pipeline(source.stream, socket, { signal });
  if (through) throw new Error('a line-end conversion needs a stream source');
  try {
    const file = source.reader.rawFile?.() ?? null;
    if (!(file && (await sendWithSendfile(file, socket, signal)))) await sendRing(source.reader, socket, signal);
    await end(socket);
  } finally {
    source.reader.close();
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
