/**
 * Who a connection is from when a load balancer may stand in front
 * (--proxy-protocol-from): a connection from a trusted source must start
 * with a PROXY header, read here before anything is sent, and its source is
 * then the client's address for everything; a connection from anywhere else
 * is a direct client and must not send one. The spec (doc/proxy-protocol.txt
 * 2, 5) forbids guessing: the source decides, never the bytes.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { CidrList } from './cidr.js';
import { unmapIPv4 } from './hosts.js';
import { ProxyHeaderReader, ProxySignatureScreen, type ProxyHeader } from './proxyHeader.js';

/** Spec 2: a receiver may give up on a missing header after a few seconds (at least 3, one TCP retransmit). */
export const PROXY_HEADER_TIMEOUT_MS = 5_000;

export const UNTRUSTED_PROXY_HEADER = 'PROXY header from a source not in --proxy-protocol-from; connection closed';

export interface ClientOrigin {
  readonly address: string;
  readonly port: number;
  /** The load balancer ("address:port") when a PROXY header named the client; null for a direct connection. */
  readonly via: string | null;
  /** A direct connection while PROXY headers are accepted from trusted sources: it must not send one itself. */
  readonly refuseProxyHeader: boolean;
}

/** The connection's own peer as the client. */
export function directOrigin(socket: net.Socket, refuseProxyHeader = false): ClientOrigin {
  return { address: unmapIPv4(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0, via: null, refuseProxyHeader };
}

/**
 * A control connection's client, or null once a connection that broke the
 * rules has been logged and closed without a reply. `clientSpeaksFirst` (its
 * TLS ClientHello, for implicit FTPS): a direct client is screened here,
 * before anything else reads it; otherwise (plain FTP, whose server greets
 * first) the door's session screens it after its greeting. Any door behind
 * a load balancer admits its connections through this.
 */
export async function controlOrigin(
  socket: net.Socket,
  trusted: CidrList,
  clientSpeaksFirst: boolean,
  timeoutMs: number,
  log: Logger,
): Promise<ClientOrigin | null> {
  const direct = directOrigin(socket, true);
  const peer = `${direct.address}:${direct.port}`;
  if (!trusted.contains(direct.address)) {
    if (!clientSpeaksFirst) return direct;
    const screened = await screenForProxyHeader(socket, timeoutMs);
    if (screened === 'clean') return directOrigin(socket);
    if (screened === 'proxy') log.warn({ peer }, UNTRUSTED_PROXY_HEADER);
    socket.destroy();
    return null;
  }
  const result = await readProxyHeader(socket, timeoutMs);
  if (typeof result === 'string') {
    log.warn({ peer, reason: result }, 'no valid PROXY header from a trusted source; connection closed');
    socket.destroy();
    return null;
  }
  return originFromHeader(direct, result);
}

/**
 * The source of a data connection: a trusted source's PROXY header's, or the
 * connection's own. A string says why there is none (the socket is destroyed).
 * The socket is left paused, as it was accepted (receive.ts relies on it).
 */
export async function dataSource(socket: net.Socket, trusted: CidrList, timeoutMs: number): Promise<string | { address: string }> {
  const direct = directOrigin(socket);
  if (!trusted.contains(direct.address)) return direct;
  const result = await readProxyHeader(socket, timeoutMs);
  socket.pause();
  if (typeof result === 'string') {
    socket.destroy();
    return `${result} (from ${direct.address}:${direct.port})`;
  }
  return originFromHeader(direct, result);
}

function originFromHeader(direct: ClientOrigin, header: ProxyHeader): ClientOrigin {
  const via = `${direct.address}:${direct.port}`;
  // LOCAL (a health check) and UNKNOWN: the proxy speaks for itself.
  if (header.command === 'local') return { ...direct, via, refuseProxyHeader: false };
  return { address: unmapIPv4(header.source.address), port: header.source.port, via, refuseProxyHeader: false };
}

/** The header at the start of `socket`, or why there is none; the bytes after it are left unread. */
function readProxyHeader(socket: net.Socket, timeoutMs: number): Promise<ProxyHeader | string> {
  const reader = new ProxyHeaderReader();
  return readUntil<ProxyHeader | string>(socket, timeoutMs, 'no PROXY header', (chunk) => {
    const result = reader.push(chunk);
    if (result.kind === 'more') return null;
    if (result.kind === 'error') return { value: result.reason };
    return { value: result.header, unread: result.rest };
  });
}

/** Whether a direct connection starts with a PROXY signature; what it sent is left unread. */
async function screenForProxyHeader(socket: net.Socket, timeoutMs: number): Promise<'clean' | 'proxy' | null> {
  const screen = new ProxySignatureScreen();
  const verdict = await readUntil<'clean' | 'proxy'>(socket, timeoutMs, 'nothing received', (chunk) => {
    const result = screen.push(chunk);
    if (result.kind === 'hold') return null;
    if (result.kind === 'proxy') return { value: 'proxy' };
    return { value: 'clean', unread: result.bytes };
  });
  // A close or silence before anything decided: neither, and the caller closes the connection.
  return verdict === 'clean' || verdict === 'proxy' ? verdict : null;
}

/**
 * Reads the socket's first bytes until `step` decides; its `unread` bytes go
 * back to the front of the socket for whoever reads next. A close or the
 * timeout first resolves with a reason (`silence` when the timeout passes).
 */
function readUntil<T>(
  socket: net.Socket,
  timeoutMs: number,
  silence: string,
  step: (chunk: Buffer) => { value: T; unread?: Buffer } | null,
): Promise<T | string> {
  return new Promise((resolve) => {
    const finish = (value: T | string, unread?: Buffer) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('close', onClose);
      if (unread && unread.length > 0) socket.unshift(unread);
      resolve(value);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        const decided = step(chunk);
        if (decided) return finish(decided.value, decided.unread);
      }
    };
    const onClose = () => finish('connection closed first');
    const timer = setTimeout(() => finish(`${silence} within ${timeoutMs} ms`), timeoutMs);
    socket.on('readable', onReadable);
    socket.once('close', onClose);
  });
}
