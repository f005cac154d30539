/**
 * Sending a download's bytes to a data socket. A local file on a plain TCP
 * socket goes by sendfile(2) when the native addon is there (zeroCopy.ts).
 * Otherwise, when the storage reads into buffers we own (a ChunkReader, the
 * backend's fast read path), a ring of slabs from a server-wide budget
 * (sendRing.ts). Otherwise, the plain pipeline. Either way the source is
 * closed here, whatever happens: the caller hands it over.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import type { Transform } from 'node:stream';
import type * as tls from 'node:tls';
import { pipeline } from 'node:stream/promises';
import type { SendSource } from '../core/FileOperations.js';
import type { RawFile } from '../core/Storage.js';
import { giveBuffer, takeBuffer } from './bufferPool.js';
import { sendRing } from './sendRing.js';
import { sendfileAtOnce, sendWithSendfile } from './zeroCopy.js';

/**
 * `through` (TYPE A's line-end conversion) needs a stream source.
 * `sentAlready`: bytes sendAtOnce() sent: all of them, or some that only the sendfile path can follow.
 */
export async function send(source: SendSource, socket: net.Socket, signal: AbortSignal, through: Transform | null = null, sentAlready = 0): Promise<void> {
  if (source.kind === 'stream') return through ? pipeline(source.stream, through, socket, { signal }) : pipeline(source.stream, socket, { signal });
  if (through) throw new Error('a line-end conversion needs a stream source');
  try {
    const file = source.reader.rawFile?.() ?? null;
    const whole = file !== null && sentAlready > 0 && file.position + sentAlready >= file.size;
    if (!whole && !(file !== null && (await sendWithSendfile(file, socket, signal, sentAlready)))) {
      if (sentAlready > 0) throw new Error('the sendfile path that began this download cannot finish it');
      await sendRing(source.reader, socket, signal);
    }
    await end(socket);
  } finally {
    source.reader.close();
  }
}

/**
 * The most bytes sendAtOnce() sends before the 150: a small file's. A big
 * one gains nothing from it, and in a crowd its first gulp would go out
 * before zeroCopy.ts fixes the socket's buffer.
 */
const AT_ONCE_MAX_BYTES = 256 * 1024;

/**
 * A small download sent at once, before its 150, where the data connection
 * is there already: by sendfile, or with one read and one write (which the
 * kernel takes whole when the socket is empty). Returns how many bytes went
 * ('all' when that was the whole download and the connection is closed);
 * send() sends the rest, if any, after the 150.
 */
export function sendAtOnce(source: SendSource, socket: net.Socket): number | 'all' {
  const file = source.kind === 'chunks' ? (source.reader.rawFile?.() ?? null) : null;
  if (file === null || file.size - file.position > AT_ONCE_MAX_BYTES) return 0;
  const sent = sendfileAtOnce(file, socket) ?? writeAtOnce(file, socket);
  if (file.position + sent < file.size || socket.writableLength > 0) return sent;
  socket.destroy();
  return 'all';
}

/** All of a small file in one write, or nothing (a short read: the file changed, which send() reports). */
function writeAtOnce(file: RawFile, socket: net.Socket): number {
  const left = file.size - file.position;
  if (left === 0) return 0;
  const buffer = takeBuffer(AT_ONCE_MAX_BYTES);
  let read = 0;
  try {
    read = fs.readSync(file.fd, buffer, 0, left, file.position);
  } catch {
    // send() reads again and names the error.
  }
  if (read !== left) {
    giveBuffer(buffer);
    return 0;
  }
  socket.write(buffer.subarray(0, left), () => giveBuffer(buffer));
  return left;
}

/**
 * Ends the socket (the FIN) once everything written is flushed. A plain TCP
 * socket with nothing left in Node's buffer (all sent by sendfile, or every
 * write called back) is closed at once, as vsftpd and pure-ftpd close theirs
 * before the 226: close(2) sends the FIN after the bytes the kernel holds,
 * without shutdown's extra turn of the event loop (35-40 us of a 4 KiB
 * RETR's 450 here). The client sends nothing on a download's connection, so
 * the close cannot turn into a reset. TLS ends with end(): its close_notify.
 */
function end(socket: net.Socket): Promise<void> {
  if ((socket as Partial<tls.TLSSocket>).encrypted !== true && socket.writableLength === 0) {
    socket.destroy();
    return Promise.resolve();
  }
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
