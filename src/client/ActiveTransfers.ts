/**
 * Active-mode data transfers for `sockftp connect --active`: the client
 * listens, announces its address with EPRT (RFC 2428) or PORT, and the server
 * connects. basic-ftp only does passive mode (its transfer functions take the
 * data socket the moment 150 arrives, but here the server connects after 150),
 * so this runs the transfer commands itself over basic-ftp's control connection.
 */
import { isIPv6, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FTPError, type Client, type FileInfo } from 'basic-ftp';
import { encodePasv, unmapIPv4 } from '../protocol/dataAddress.js';
import { PassiveChannel } from '../server/DataChannel.js';

/** Listings are parsed in memory; basic-ftp caps them at the same size. */
const MAX_LISTING_BYTES = 40 * 1024 * 1024;

export class ActiveTransfers {
  /** Set once the server answered EPRT with 500/502, so later transfers go straight to PORT. */
  private eprtRefused = false;

  constructor(private readonly client: Client) {}

  /** STOR (or APPE to resume) from `source`. */
  async upload(source: Readable, remotePath: string, command: 'STOR' | 'APPE'): Promise<void> {
    const path = await this.client.protectWhitespace(remotePath);
    await this.transfer(`${command} ${path}`, (socket) => pipeline(source, socket));
  }

  /** RETR into `destination`, from `startAt` on (REST) when resuming. */
  async download(destination: Writable, remotePath: string, startAt: number): Promise<void> {
    const path = await this.client.protectWhitespace(remotePath);
    await this.transfer(`RETR ${path}`, (socket) => pipeline(socket, destination), startAt);
  }

  /** Like basic-ftp's list(): MLSD, then LIST -a, then LIST, until one is understood; that one is kept. */
  async list(remotePath: string): Promise<FileInfo[]> {
    const path = await this.client.protectWhitespace(remotePath);
    let lastError: unknown;
    for (const candidate of this.client.availableListCommands) {
      try {
        const text = await this.receiveText(path === '' ? candidate : `${candidate} ${path}`);
        this.client.availableListCommands = [candidate];
        return this.client.parseList(text);
      } catch (err) {
        if (!(err instanceof FTPError)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private async receiveText(command: string): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    await this.transfer(command, async (socket) => {
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_LISTING_BYTES) throw new Error(`the listing is larger than ${MAX_LISTING_BYTES} bytes`);
        chunks.push(chunk);
      }
    });
    return Buffer.concat(chunks).toString(this.client.ftp.encoding);
  }

  /**
   * One transfer over a fresh data port on the control connection's local
   * address, which only the server's address may connect to, once.
   */
  private async transfer(command: string, move: (socket: Socket) => Promise<void>, restartAt = 0): Promise<void> {
    const ftp = this.client.ftp;
    const local = ftp.socket.localAddress;
    const server = ftp.socket.remoteAddress;
    if (local === undefined || server === undefined) throw new Error('not connected');
    const host = unmapIPv4(local);
    // The server's passive channel is the listening side needed here: one connection, from the peer only, in bounded time.
    const channel = await PassiveChannel.open({ host, ports: null, peer: server, onForeignPeer: () => undefined });
    const stop = new AbortController();
    try {
      await this.announce(host, channel.port);
      if (restartAt > 0) await ftp.request(`REST ${restartAt}`);
      await this.run(command, channel, stop.signal, move);
    } finally {
      stop.abort();
      channel.close();
    }
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
    if (address === null) throw new Error('the server does not support EPRT, and PORT cannot carry an IPv6 address');
    await this.client.ftp.request(`PORT ${address}`);
  }

  /**
   * Sends the transfer command and moves the data once the server connects.
   * As in basic-ftp, the transfer is finished only when both the data has
   * ended and the 2xx reply has arrived, in whichever order.
   */
  private async run(command: string, channel: PassiveChannel, signal: AbortSignal, move: (socket: Socket) => Promise<void>): Promise<void> {
    const ftp = this.client.ftp;
    let replied = false;
    const control = ftp.handle(command, (res, task) => {
      if (res instanceof Error) {
        replied = true;
        task.reject(res);
      } else if (res.code >= 300) {
        // A 3xx asks for a command we do not have: the session is lost either way.
        ftp.closeWithError(new Error(`unexpected reply during a transfer: ${res.message}`));
      } else if (res.code >= 200) {
        replied = true;
        task.resolve(res);
      }
    });
    const accepted = channel.connect(ftp.timeout, signal).catch((err: unknown) => {
      throw signal.aborted ? err : new Error(`the server did not open the data connection within ${ftp.timeout / 1000} s`);
    });
    const data = accepted
      .then(async (socket) => {
        // While data flows the control connection is quiet by design: the data socket keeps the time instead.
        ftp.socket.setTimeout(0);
        socket.setTimeout(ftp.timeout, () => socket.destroy(new Error('the data connection timed out')));
        await move(ftp.socket instanceof TLSSocket ? await startTls(socket, ftp.socket, ftp.tlsOptions) : socket);
        if (!replied) ftp.socket.setTimeout(ftp.timeout);
      })
      .catch((err: unknown) => {
        // Without its final reply the server is still in the transfer; the connection cannot be trusted.
        if (!replied) ftp.closeWithError(err as Error);
        throw err;
      });
    try {
      await Promise.all([control, data]);
    } finally {
      accepted.then((socket) => socket.destroy(), () => undefined);
    }
  }
}

/**
 * RFC 4217: the FTP client is the TLS client on data connections too, even
 * when it accepted the TCP connection; it resumes the control connection's
 * TLS session, which servers that require session reuse check.
 */
function startTls(socket: Socket, control: TLSSocket, options: TlsOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ ...options, socket, session: control.getSession() });
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}
