/**
 * The zero-copy send path: file bytes go from the page cache to a plain TCP
 * data socket with sendfile(2), through the optional addon native/sendfile.c
 * (built at install time when a C compiler is present; SOCKFTP_NO_NATIVE=1
 * turns it off at run time). Without it, send.ts copies through buffers.
 *
 * sendfile runs non-blocking on the event loop: it sends until the socket's
 * buffer is full and returns (-EAGAIN). Writability is then waited for
 * through Node's own handle: the next few KiB of the file are read and
 * written with socket.write(), whose callback runs once libuv has handed
 * them to the kernel, which is when the socket has room again. So no thread
 * is tied up per transfer (a blocking sendfile in libuv's 4-thread pool
 * would be), no second watcher exists on the descriptor, and Node's socket
 * stays its one owner: end() sends the FIN, destroy() (ABOR, timeouts)
 * stops the transfer at its next step. Node does not see the sendfile
 * bytes: they are counted here (zeroCopyBytes) for the transfer's byte
 * count, and each batch refreshes the socket's idle timer. The uv_poll_t
 * alternative (a watcher on a dup()ed descriptor inside the addon) needs
 * libuv's headers, which node-api-headers does not ship; one sender thread
 * with epoll would need a thread-safe function per completion. Like nginx
 * without aio, a sendfile of a file not in the page cache waits for the
 * disk on the event loop.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { constants } from 'node:os';
import type * as tls from 'node:tls';
import { getSystemErrorName } from 'node:util';
import type { RawFile } from '../core/Storage.js';
import { addon } from '../native/addon.js';
import { giveBuffer, takeBuffer } from './bufferPool.js';

/** Bytes one sendfile batch may send before the event loop gets a turn (other sessions run between batches). */
const BATCH_BYTES = 8 * 1024 * 1024;
/** What is written through Node to wait for writability. */
const PROBE_BYTES = 64 * 1024;
/**
 * With more sendfile transfers than this at once, each data socket's send
 * buffer is fixed at SEND_BUFFER_BYTES (the kernel doubles it) instead of
 * autotuned up to tcp_wmem's 4 MiB. With 200 autotuned buffers each
 * sendfile call moved 1-8 MiB before EAGAIN (0.27 waits per MiB: the waits
 * are not the cost), so every transfer was served in a few uneven gulps
 * ahead of a receiver that could not keep up, with thousands of spurious
 * loss-probe retransmissions per run (DSACKed). Fixed buffers: 200 clients
 * 1.4-1.5x the aggregate of the autotuned ones, p99 1.2 -> 0.8 s
 * (bench/README.md, "The native path at 200 clients"). One stream alone is
 * faster with the autotuned buffer (fewer wake-ups), hence the threshold;
 * it is set before the first fill, as a buffer shrunk after growing has
 * already sent its gulp.
 */
const CROWD = 8;
const SEND_BUFFER_BYTES = 512 * 1024;
/** The batch in a crowd: other transfers get their turn after 256 KiB (1.13-1.17x the aggregate of 8 MiB batches at 200 clients, p99 0.81 -> 0.71 s). */
const CROWD_BATCH_BYTES = 256 * 1024;

let sending = 0;

/** Whether downloads can take the zero-copy path at all (the addon is built and not turned off). */
export const zeroCopyAvailable = addon !== null;

const sentBySendfile = new WeakMap<net.Socket, number>();

/** Bytes sent on `socket` by sendfile, which socket.bytesWritten does not count. */
export function zeroCopyBytes(socket: net.Socket): number {
  return sentBySendfile.get(socket) ?? 0;
}

/** The socket's descriptor when it is a plain TCP socket the addon may write to; null for TLS or anything else. */
function socketFd(socket: net.Socket): number | null {
  // `encrypted` rather than instanceof TLSSocket, so that a server without TLS never loads node:tls.
  if (addon === null || (socket as Partial<tls.TLSSocket>).encrypted === true || socket.destroyed) return null;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/**
 * Sends the rest of `file` on `socket` with sendfile when both allow it;
 * resolves false at once, having sent nothing, when they do not (the caller
 * copies instead). Rejects as the copying path would: the file's own errors
 * through file.fail (451 for a truncated file), a socket error or an abort
 * as such. Does not end the socket.
 */
export async function sendWithSendfile(file: RawFile, socket: net.Socket, signal: AbortSignal, sentAlready = 0): Promise<boolean> {
  const out = socketFd(socket);
  if (addon === null || out === null || addon.nonblock(out) !== 0) return false;
  let position = file.position + sentAlready;
  const count = (n: number) => sentBySendfile.set(socket, zeroCopyBytes(socket) + n);
  const stopOnAbort = destroyOnAbort(socket, signal);
  const probe = takeBuffer(PROBE_BYTES);
  let probing: Promise<void> | null = null;
  let bufferFixed = false;
  sending++;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (socket.destroyed) throw new Error('data connection closed');
      if (!bufferFixed && sending > CROWD) {
        bufferFixed = true; // once, whatever the outcome: a failure leaves the autotuned buffer, which works
        addon.sndbuf?.(out, SEND_BUFFER_BYTES);
      }
      // No more than is left, so the last call is not followed by one that only finds the end.
      const batch = Math.min(sending > CROWD ? CROWD_BATCH_BYTES : BATCH_BYTES, Math.max(file.size - position, 0) || 1);
      const n = position >= file.size ? 0 : addon.sendfile(out, file.fd, position, batch);
      if (n > 0) {
        position += n;
        count(n);
        // Node's idle timer sees only its own writes: a transfer that never fills the socket still moves.
        if (socket.timeout) socket.setTimeout(socket.timeout);
        // A full batch means the socket keeps up: let the rest of the server run before the next one.
        if (n === batch && position < file.size) await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (n === 0) {
        if (position < file.size) throw file.fail('truncated');
        return true;
      }
      if (-n !== constants.errno.EAGAIN) throw systemError(-n, file);
      // The socket is full: the probe write completes when it has room again.
      const read = readProbe(file, probe, position);
      if (read === 0) continue; // the end of the file, which the next sendfile reports
      probing = write(socket, read === probe.length ? probe : probe.subarray(0, read));
      await probing;
      probing = null;
      position += read;
    }
  } finally {
    sending--;
    stopOnAbort();
    // The probe buffer is the socket's until its write callback runs, which it does, also on a destroyed socket.
    if (probing) await probing.catch(() => undefined);
    giveBuffer(probe);
  }
}

/**
 * Before the 150: one sendfile of the whole rest of the file to a socket
 * nothing was written to yet, which a small file fits at once. Returns the
 * bytes sent (0 when the socket was full, or on an error, which
 * sendWithSendfile then meets and names), or null when this socket cannot
 * take the zero-copy path.
 */
export function sendfileAtOnce(file: RawFile, socket: net.Socket): number | null {
  const out = socketFd(socket);
  if (addon === null || out === null || addon.nonblock(out) !== 0) return null;
  const left = file.size - file.position;
  const n = left > 0 ? addon.sendfile(out, file.fd, file.position, left) : 0;
  if (n <= 0) return 0;
  sentBySendfile.set(socket, zeroCopyBytes(socket) + n);
  return n;
}

function readProbe(file: RawFile, buffer: Buffer, position: number): number {
  try {
    return fs.readSync(file.fd, buffer, 0, buffer.length, position);
  } catch (err) {
    throw file.fail(err as NodeJS.ErrnoException);
  }
}

/** Errors of the socket side read as a failed data connection (426), the rest as the file's. */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ENOTCONN', 'ETIMEDOUT', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EBADF']);

function systemError(errno: number, file: RawFile): Error {
  const code = getSystemErrorName(-errno);
  const err = Object.assign(new Error(`sendfile: ${code}`), { code, errno: -errno, syscall: 'sendfile' });
  return SOCKET_ERRORS.has(code) ? err : file.fail(err);
}

/** Writes through Node; the promise settles in the write's callback. */
export function write(socket: net.Socket, chunk: Buffer): Promise<void> {
  const done = new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve())));
  // Awaited later, or not at all when an earlier step failed: never an unhandled rejection.
  done.catch(() => undefined);
  return done;
}

/** An abort destroys the socket, which fails its pending writes; returns the undo. */
export function destroyOnAbort(socket: net.Socket, signal: AbortSignal): () => void {
  const onAbort = () => socket.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
