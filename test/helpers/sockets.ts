import type * as net from 'node:net';

/**
 * Resets a connection (TCP RST, as SO_LINGER 0 does). Node's
 * resetAndDestroy() closes with an orderly FIN instead when writes are
 * still queued in the socket, so queued writes are flushed first.
 */
export async function resetConnection(socket: net.Socket): Promise<void> {
  if (socket.writableLength > 0 && !socket.destroyed) await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  socket.resetAndDestroy();
}
