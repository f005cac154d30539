/**
 * Receiving an upload's bytes from a data socket into a Writable.
 *
 * Node's 'data' events allocate a fresh 64 KiB buffer per read; measured
 * here, that caps a STOR at 0.35-0.7 GiB/s. A socket created with the
 * `onread` option reads into buffers we own and reuse, which receives 2-3x
 * faster. `net.Server` has no `onread` for accepted sockets, so a passive
 * data socket is accepted paused (`pauseOnConnect`) and its handle adopted
 * by a new socket that has one. That uses Node internals (`_handle`), so it
 * lives in this one function, checks what it relies on, and falls back to
 * the plain pipeline whenever it cannot be used (TLS, a socket that already
 * started reading, a future Node without `_handle`).
 */
import * as net from 'node:net';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { giveBuffer, takeBuffer } from './bufferPool.js';

/** Buffers in the reuse pool; at most POOL_SIZE - 1 are being written at once, so one is always free to read into. */
const POOL_SIZE = 3;

export interface ReceiveOptions {
  /** Size of each pooled read buffer. */
  readonly chunkBytes: number;
  /** Force the plain pipeline, for tests that compare both paths. */
  readonly plain?: boolean;
}

/**
 * Moves everything `socket` receives into `sink` and ends it; rejects if
 * either fails or `signal` aborts. `adopted` learns of the socket that took
 * over, so byte counts and timeouts follow it.
 */
export async function receive(
  socket: net.Socket,
  sink: Writable,
  signal: AbortSignal,
  options: ReceiveOptions,
  adopted: (socket: net.Socket) => void,
): Promise<void> {
  let reading = socket;
  const handover = options.plain ? null : adoptForReading(socket);
  if (!handover) await pipeline(socket, sink, { signal });
  else
    await pump(handover, sink, signal, options.chunkBytes, (s) => {
      reading = s;
      adopted(s);
    });
  await assertNotReset(reading);
  await endOurSide(reading);
}

/**
 * Closes our direction once the client's data has ended: a FIN, and on TLS
 * the close_notify that clients such as Python's ftplib wait for (unwrap())
 * before they read the 226.
 */
async function endOurSide(socket: net.Socket): Promise<void> {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end();
  await finished(socket, { readable: false });
}

/**
 * In stream mode an orderly close is the end of the file, and a reset is an
 * interrupted upload. libuv can report a reset that follows a partial read
 * as a plain end of file, though; a zero-length write tells them apart: it
 * succeeds on a half-closed connection and fails with ECONNRESET or EPIPE on
 * a reset one. (Data sockets are half-open capable, so the write is allowed.)
 */
function assertNotReset(socket: net.Socket): Promise<void> {
  if (!(socket instanceof net.Socket) || socket.constructor !== net.Socket || socket.destroyed || !socket.writable) return Promise.resolve();
  return new Promise((resolve, reject) => {
    socket.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

/** Node's `onread` socket option (documented for net.connect; @types/node 20 lacks it on the constructor). */
interface OnRead {
  buffer: () => Uint8Array;
  callback: (nread: number, buf: Uint8Array) => boolean;
}

type AdoptedSocket = { readonly socket: net.Socket; readonly attach: (onread: OnRead) => net.Socket };

/** Whether the socket's handle can be moved to a socket with `onread`: plain TCP, paused, nothing buffered yet. */
function adoptForReading(socket: net.Socket): AdoptedSocket | null {
  const internal = socket as net.Socket & { _handle?: { readStart?: unknown } | null };
  const handle = internal._handle;
  if (!(socket instanceof net.Socket) || socket.constructor !== net.Socket) return null;
  if (!handle || typeof handle.readStart !== 'function' || !socket.isPaused() || socket.readableLength > 0 || socket.readableEnded) return null;
  return {
    socket,
    attach: (onread) => {
      // The old socket lets go of the handle (so destroying it closes nothing), and the new one owns it.
      internal._handle = null;
      const fresh = new net.Socket({ handle, onread, allowHalfOpen: true } as net.SocketConstructorOpts);
      socket.destroy();
      return fresh;
    },
  };
}

function pump(handover: AdoptedSocket, sink: Writable, signal: AbortSignal, chunkBytes: number, adopted: (socket: net.Socket) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const pool: Buffer[] = Array.from({ length: POOL_SIZE }, () => takeBuffer(chunkBytes));
    const free = [...pool];
    let writing = 0;
    let paused = false;
    let ended = false;
    let settled = false;
    let reading: net.Socket | null = null;

    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        reading?.destroy();
        sink.destroy(err);
        reject(err);
      } else {
        // Past the end of file the handle reads no more and every write is done: the buffers are free again.
        // (On failure a write may still hold one, so they are left to the GC.)
        pool.forEach(giveBuffer);
        resolve();
      }
    };
    const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const maybeEnd = () => {
      if (ended && writing === 0 && !settled) sink.end(() => finish(null));
    };

    reading = handover.attach({
      // Called after every read: the next buffer to read into, never one still being written.
      buffer: () => free.pop() ?? Buffer.allocUnsafe(chunkBytes),
      callback: (nread: number, buf: Uint8Array) => {
        writing++;
        const chunk = Buffer.from(buf.buffer, buf.byteOffset, nread);
        sink.write(chunk, (err) => {
          writing--;
          free.push(buf as Buffer);
          if (err) return finish(err);
          if (paused && !ended) {
            paused = false;
            reading?.resume();
          }
          maybeEnd();
        });
        // Keep one pooled buffer free for the next read; pause until a write completes.
        if (writing < POOL_SIZE - 1) return true;
        // Returning false only stops the handle; pause() too, so that resume() restarts it.
        paused = true;
        reading?.pause();
        return false;
      },
    });
    adopted(reading);
    reading.on('end', () => {
      ended = true;
      maybeEnd();
    });
    reading.on('error', (err) => finish(err));
    reading.on('close', () => {
      if (!ended) finish(new Error('data connection closed before its end'));
    });
    sink.on('error', (err) => finish(err));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    reading.resume();
  });
}
