/**
 * A data channel that says when it starts and stops waiting for its
 * connection: from PASV/EPSV/PORT/EPRT until the transfer has its socket, the
 * connection failed, or the channel was closed unused (each counted once).
 */
import type { DataChannel } from '../net/PassiveListener.js';

export function waitingChannel(channel: DataChannel, onWaiting: (waiting: boolean) => void): DataChannel {
  let waiting = true;
  const settle = () => {
    if (!waiting) return;
    waiting = false;
    onWaiting(false);
  };
  onWaiting(true);
  return {
    connect: (timeoutMs, signal) => channel.connect(timeoutMs, signal).finally(settle),
    ready: () => {
      const socket = channel.ready?.() ?? null;
      if (socket) settle();
      return socket;
    },
    close: () => {
      settle();
      channel.close();
    },
  };
}
