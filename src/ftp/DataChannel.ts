/**
 * The server's data connections: PORT/EPRT (we connect, ActiveChannel), and
 * PASV/EPSV's listener (src/net/PassiveListener.ts) with the server's accept
 * policy: only the session's client, the control connection's peer or the
 * client a trusted load balancer's PROXY header names (--proxy-protocol-from).
 */
import * as net from 'node:net';
import { dataWaitFailure, guard, PassiveListener, type DataChannel, type PassiveOptions } from '../net/PassiveListener.js';
import { onceWithin } from '../net/onceWithin.js';
import type { CidrList } from '../net/cidr.js';
import { PROXY_HEADER_TIMEOUT_MS, dataSource } from '../net/proxyAccept.js';

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

  async connect(timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
    const socket = guard(net.connect({ host: this.host, port: this.port, localAddress: this.localAddress, noDelay: true, allowHalfOpen: true }));
    try {
      await onceWithin(socket, 'connect', { timeoutMs, signal }, dataWaitFailure);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return socket;
  }

  /** Nothing is held before connect(); the transfer owns the socket it got. */
  close(): void {}
}
