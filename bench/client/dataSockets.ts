/**
 * The two ends of a bulk transfer, kept as lean as Node allows so that the
 * client is not what a benchmark measures: the reader counts bytes and throws
 * them away, the writer sends the same random megabyte again and again.
 * The loopback ceiling runs exactly this code on both ends, without FTP.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { onceWithin } from '../../src/net/onceWithin.js';
import { LOOPBACK, MiB } from '../paths.js';

/** How long a data connection may stay silent before it counts as failed. */
const DATA_IDLE_MS = 60_000;
const LF = 0x0a;

/**
 * `onread` reads into this buffer and calls back synchronously, and the bytes
 * are only counted, so one buffer serves every data socket of the process
 * (200 clients at once need no 200 MiB of buffers). Reading through
 * `onread` receives 2-3x faster than 'data' events.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(MiB);

/** Random, so nothing on the way can compress it; made once, sent again and again. */
const UPLOAD_CHUNK = randomBytes(MiB);

/** A connected socket whose bytes are being counted until the peer ends it. */
export interface Reader {
  readonly socket: net.Socket;
  /** Resolves at the peer's end of stream; rejects when the connection fails first. */
  readonly ended: Promise<{ bytes: number; lines: number }>;
}

/** Connects to 127.0.0.1:`port` and counts what arrives; with `countLines`, also the LF bytes (listings). */
export async function openReader(port: number, countLines = false): Promise<Reader> {
  let bytes = 0;
  let lines = 0;
  const socket = net.connect({
    host: LOOPBACK,
    port,
    onread: {
      buffer: SHARED_READ_BUFFER,
      callback: (n, buf) => {
        bytes += n;
        if (countLines) lines += countLf(buf, n);
        return true;
      },
    },
  });
  const ended = settleOn(socket, 'end').then(() => ({ bytes, lines }));
  // A failure while the caller still waits for the command's first reply is read later, through `ended`.
  ended.catch(() => undefined);
  await connected(socket);
  return { socket, ended };
}

/** Connects to 127.0.0.1:`port` for sending. */
export async function openWriter(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: LOOPBACK, port });
  await connected(socket);
  return socket;
}

/**
 * Sends `total` bytes with backpressure and ends the stream; resolves once
 * everything has been handed to the kernel ('finish').
 */
export async function sendBytes(socket: net.Socket, total: number): Promise<void> {
  for (let left = total; left > 0;) {
    const chunk = left >= UPLOAD_CHUNK.length ? UPLOAD_CHUNK : UPLOAD_CHUNK.subarray(0, left);
    left -= chunk.length;
    if (!socket.write(chunk)) await settleOn(socket, 'drain');
  }
  const finished = settleOn(socket, 'finish');
  socket.end();
  await finished;
}

/**
 * Resolves on `event`; rejects on an error, on the idle deadline, or when the
 * socket closes first, so no wait outlives its connection.
 */
export function settleOn(socket: net.Socket, event: 'end' | 'drain' | 'finish' | 'close'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null) => {
      socket.off(event, onEvent);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const onEvent = () => done(null);
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error(`data connection closed before ${event}`));
    const onTimeout = () => done(new Error(`data connection idle for ${DATA_IDLE_MS} ms`));
    socket.once(event, onEvent);
    socket.once('error', onError);
    if (event !== 'close') socket.once('close', onClose);
    socket.setTimeout(DATA_IDLE_MS);
    socket.once('timeout', onTimeout);
  });
}

async function connected(socket: net.Socket): Promise<void> {
  try {
    await onceWithin(socket, 'connect', { timeoutMs: DATA_IDLE_MS }, (why) =>
      why.kind === 'error' ? why.error : new Error(`data connection not open in ${DATA_IDLE_MS} ms`),
    );
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function countLf(buf: Uint8Array, n: number): number {
  let count = 0;
  for (let i = buf.indexOf(LF); i !== -1 && i < n; i = buf.indexOf(LF, i + 1)) count++;
  return count;
}
