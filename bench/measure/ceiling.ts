/**
 * The client's ceiling: 1 GiB over a plain loopback socket, with the
 * benchmark client's own reader and writer on both ends (loopbackPeer.ts in a
 * child process, as a server would be) and no FTP. A server that reaches it
 * is faster than this benchmark can tell.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';
import { openReader, sendBytes, settleOn } from '../client/dataSockets.js';
import { BENCH_DIST, LOOPBACK, MiB } from '../paths.js';
import { ServerProcess } from '../servers/ServerProcess.js';
import { secondsSince, type Measurement } from './BenchTest.js';

const PEER = path.join(BENCH_DIST, 'loopbackPeer.js');
/** The peer is a fresh Node process: it connects well within this, or never. */
const CONNECT_TIMEOUT_MS = 30_000;

/** Like RETR: the peer writes, we read. */
export async function receiveCeiling(bytes: number): Promise<Measurement> {
  const peer = new ServerProcess(process.execPath, [PEER, 'send', String(bytes)]);
  try {
    const port = Number((await peer.waitForOutput(/^port (\d+)$/m))[1]);
    const start = performance.now();
    const reader = await openReader(port);
    const received = (await reader.ended).bytes;
    const seconds = secondsSince(start);
    if (received !== bytes) throw new Error(`received ${received} of ${bytes} bytes`);
    return { values: { mibPerSecond: bytes / MiB / seconds } };
  } finally {
    await peer.stop();
  }
}

/** Like STOR: we write, the peer reads; done when the peer has read the end and closed. */
export async function sendCeiling(bytes: number): Promise<Measurement> {
  const listener = net.createServer().listen(0, LOOPBACK);
  await once(listener, 'listening');
  const accepted = once(listener, 'connection', { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) }) as Promise<[net.Socket]>;
  const peer = new ServerProcess(process.execPath, [PEER, 'sink', String((listener.address() as net.AddressInfo).port)]);
  try {
    const [socket] = await accepted;
    const start = performance.now();
    const closed = settleOn(socket, 'close');
    await sendBytes(socket, bytes);
    await closed;
    const seconds = secondsSince(start);
    const received = Number((await peer.waitForOutput(/^bytes (\d+)$/m))[1]);
    if (received !== bytes) throw new Error(`the peer received ${received} of ${bytes} bytes`);
    return { values: { mibPerSecond: bytes / MiB / seconds } };
  } finally {
    listener.close();
    await peer.stop();
  }
}
