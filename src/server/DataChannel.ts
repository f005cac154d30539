/**
 * The server's data connections: PORT/EPRT (we connect, ActiveChannel), and
 * PASV/EPSV's listener (src/net/PassiveListener.ts) with the server's accept
 * policy: only the session's client, the control connection's peer or the
 * client a trusted load balancer's PROXY header names (--proxy-protocol-from).
 */
import * as net from 'node:net';
import { dataConnectionFailed } from '../errors.js';
import { guard, PassiveListener, type DataChannel, type PassiveOptions } from '../net/PassiveListener.js';
import type { CidrList } from '../protocol/cidr.js';
import { PROXY_HEADER_TIMEOUT_MS, dataSource } from './proxyAccept.js';

/** The session's passive port; with `proxyFrom`, a load balancer's connections are judged by their PROXY header's source. */
export function openPassiveListener(options: Omit<PassiveOptions, 'source'> & { readonly proxyFrom?: CidrList | null }): Promise<PassiveListener> {
  const trusted = options.proxyFrom;
  return PassiveListener.open({ ...options, source: trusted ? (socket) => dataSource(socket, trusted, PROXY_HEADER_TIMEOUT_MS) : undefined });
}

export class ActiveChannel implements DataChannel {
  constructor(
    private readonly host: string,
    private readonly port: number,
    /** The control connection's local address, so the data connection leaves from the same interface. */
    private readonly localAddress: string,
  ) {}

  connect(timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = guard(net.connect({ host: this.host, port: this.port, localAddress: this.localAddress, noDelay: true, allowHalfOpen: true }));
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(socket);
      };
      const onConnect = () => finish(null);
      const onError = (err: Error) => finish(dataConnectionFailed(`Can't open data connection: ${err.message}`));
      const onAbort = () => finish(dataConnectionFailed('Transfer aborted before the data connection opened'));
      const timer = setTimeout(() => finish(dataConnectionFailed("Can't open data connection: timed out")), timeoutMs);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Nothing is held before connect(); the transfer owns the socket it got. */
  close(): void {}
}
