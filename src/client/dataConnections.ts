/**
 * The data connection of one transfer, in either mode. Passive: basic-ftp's
 * EPSV-then-PASV negotiation connects to the server. Active (`--active`):
 * we listen, announce the address with EPRT (RFC 2428) or PORT, and the
 * server connects; basic-ftp has no active mode, so that part is ours.
 */
import { isIPv6, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
import { FTPError, type Client } from 'basic-ftp';
import { encodePasv } from '../ftp/protocol/dataAddress.js';
import { unmapIPv4 } from '../net/hosts.js';
import { onceWithin } from '../net/onceWithin.js';
import { PassiveChannel } from '../net/PassiveListener.js';
import { ClientError } from './ClientError.js';

export interface DataConnection {
  /** Resolves with the data socket once it is usable (TLS negotiated); called right after the transfer command is sent. */
  ready(): Promise<Socket>;
  /** Cuts the connection with a reset: a server takes a normal close (FIN) for the end of an upload, a reset never. */
  reset(): void;
  close(): void;
}

export interface DataConnector {
  /** Sets up the next transfer's data connection, before its command is sent. */
  open(): Promise<DataConnection>;
}

export class PassiveConnector implements DataConnector {
  constructor(private readonly client: Client) {}

  async open(): Promise<DataConnection> {
    const ftp = this.client.ftp;
    // basic-ftp tries EPSV, then PASV (to the control connection's host), and keeps the first that works.
    await this.client.prepareTransfer(ftp);
    const socket = ftp.dataSocket;
    if (socket === undefined) throw new ClientError([{ problem: 'noDataConnection', args: [String(ftp.timeout / 1000)] }]);
    return {
      ready: () => secured(socket),
      reset: () => cut(socket),
      // Through basic-ftp's setter, which also forgets the socket and its listeners.
      close: () => {
        if (ftp.dataSocket === socket) ftp.dataSocket = undefined;
        else socket.destroy();
      },
    };
  }
}

export class ActiveConnector implements DataConnector {
  /** Set once the server answered EPRT with 500/502, so later transfers go straight to PORT. */
  private eprtRefused = false;

  constructor(private readonly client: Client) {}

  /** A fresh port on the control connection's local address, which only the server's address may connect to, once. */
  async open(): Promise<DataConnection> {
    const ftp = this.client.ftp;
    const local = ftp.socket.localAddress;
    const server = ftp.socket.remoteAddress;
    if (local === undefined || server === undefined) throw new ClientError([{ problem: 'notConnected' }]);
    const host = unmapIPv4(local);
    // The listening side needed here, the same as the server's passive port: one connection, from the peer only, in bounded time.
    const channel = await PassiveChannel.open({ host, ports: null, peer: server, onForeignPeer: () => undefined });
    const stop = new AbortController();
    let raw: Socket | null = null;
    let socket: Socket | null = null;
    const close = () => {
      stop.abort();
      channel.close();
      socket?.destroy();
      raw?.destroy();
    };
    try {
      await this.announce(host, channel.port);
    } catch (err) {
      close();
      throw err;
    }
    return {
      ready: async () => {
        raw = await channel.connect(ftp.timeout, stop.signal).catch((err: unknown) => {
          throw stop.signal.aborted ? err : new ClientError([{ problem: 'noDataConnection', args: [String(ftp.timeout / 1000)] }]);
        });
        socket = ftp.socket instanceof TLSSocket ? await startTls(raw, ftp.socket, ftp.tlsOptions, ftp.timeout, stop.signal) : raw;
        return socket;
      },
      reset: () => {
        if (raw) cut(raw);
        close();
      },
      close,
    };
  }

  /** EPRT, or PORT when the server does not know EPRT; PORT carries IPv4 addresses only. */
  private async announce(host: string, port: number): Promise<void> {
    if (!this.eprtRefused) {
      try {
        await this.client.ftp.request(`EPRT |${isIPv6(host) ? 2 : 1}|${host}|${port}|`);
        return;
      } catch (err) {
        if (!(err instanceof FTPError && (err.code === 500 || err.code === 502))) throw err;
        this.eprtRefused = true;
      }
    }
    // PORT's argument has the same "h1,h2,h3,h4,p1,p2" form as a 227 reply.
    const address = encodePasv(host, port);
    if (address === null) throw new ClientError([{ problem: 'noPortForIPv6' }]);
    await this.client.ftp.request(`PORT ${address}`);
  }
}

/** A TLS data socket may still be in its handshake when the transfer command goes out; data waits for it. */
function secured(socket: Socket): Promise<Socket> {
  if (!(socket instanceof TLSSocket) || socket.getCipher()) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const closed = () => reject(new ClientError([{ problem: 'dataClosedInHandshake' }]));
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      socket.off('close', closed);
      resolve(socket);
    });
    socket.once('error', reject);
    socket.once('close', closed);
  });
}

function cut(socket: Socket): void {
  // Only a plain TCP socket can send a reset; a TLS one closes as usual, after ABOR has gone out.
  if (!socket.destroyed && !(socket instanceof TLSSocket)) socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * RFC 4217: the FTP client is the TLS client on data connections too, even
 * when it accepted the TCP connection; it resumes the control connection's
 * TLS session, which servers that require session reuse check.
 */
async function startTls(socket: Socket, control: TLSSocket, options: TlsOptions, timeoutMs: number, signal: AbortSignal): Promise<TLSSocket> {
  const secure = tlsConnect({ ...options, socket, session: control.getSession() });
  await onceWithin(secure, 'secureConnect', { timeoutMs, signal }, (why) =>
    why.kind === 'error' ? why.error : new ClientError([{ problem: 'dataTimedOut' }]),
  );
  return secure;
}
