/**
 * The other end of the client's ceiling: a plain loopback socket copy with
 * the benchmark client's own reader and writer and no FTP server, in its own
 * process as a server would be.
 *
 *   node dist/bench/loopbackPeer.js send BYTES   listens, prints "port N", sends BYTES to one client, exits
 *   node dist/bench/loopbackPeer.js sink PORT    connects to PORT, counts until the end, prints "bytes N", exits
 *
 * `onread` exists only for sockets we connect, so the reading side is always
 * the one that connects.
 */
import { once } from 'node:events';
import * as net from 'node:net';
import { openReader, sendBytes } from './client/dataSockets.js';
import { LOOPBACK } from './paths.js';

/** Nobody connecting for this long means the benchmark is gone: exit rather than linger. */
const WAIT_MS = 60_000;

const [mode, value] = process.argv.slice(2);
const deadline = setTimeout(() => process.exit(2), WAIT_MS);
if (mode === 'send') {
  const server = net.createServer();
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  console.log(`port ${(server.address() as net.AddressInfo).port}`);
  const [socket] = (await once(server, 'connection')) as [net.Socket];
  server.close();
  clearTimeout(deadline);
  await sendBytes(socket, Number(value));
} else if (mode === 'sink') {
  const reader = await openReader(Number(value));
  clearTimeout(deadline);
  const { bytes } = await reader.ended;
  console.log(`bytes ${bytes}`);
} else {
  console.error('usage: loopbackPeer.js send BYTES | sink PORT');
  process.exit(2);
}
