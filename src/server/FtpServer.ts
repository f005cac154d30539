/**
 * The listening server: accepts control connections (plain, and implicit
 * FTPS on a second port), enforces connection limits and login bans, hands
 * each connection to a Session, and shuts down.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { Account } from '../auth/Account.js';
import { LoginGuard } from '../auth/LoginGuard.js';
import type { LoginAuthenticator } from '../auth/LoginAuthenticator.js';
import { unmapIPv4 } from '../protocol/dataAddress.js';
import { formatHostForUrl } from '../protocol/hosts.js';
import { Reply, formatReply } from '../protocol/replies.js';
import { LocalStorage } from '../storage/LocalStorage.js';
import type { Storage } from '../storage/Storage.js';
import { commandTable } from './commandTable.js';
import type { ServerConfig } from './ServerConfig.js';
import { Session, type SessionContext } from './Session.js';

/** Linux caps this at net.core.somaxconn; 511 matches nginx and keeps bursts of 200 clients from being dropped. */
const LISTEN_BACKLOG = 511;

export class FtpServer {
  private readonly server: net.Server;
  private readonly implicitServer: net.Server | null;
  private readonly sessions = new Set<Session>();
  private readonly perIp = new Map<string, number>();
  private readonly context: SessionContext;

  constructor(
    readonly config: ServerConfig,
    private readonly authenticator: LoginAuthenticator,
    private readonly log: Logger,
  ) {
    this.context = {
      config,
      authenticator,
      commands: commandTable,
      log,
      loginGuard: new LoginGuard(config.loginGuard),
      openStorage: (account: Account): Promise<Storage> => LocalStorage.open(account.home),
    };
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket, false));
    this.implicitServer = config.tls?.implicitPort != null ? net.createServer({ noDelay: true }, (socket) => this.accept(socket, true)) : null;
  }

  /** Starts listening; resolves once every port is bound (their real numbers also when 0 was asked for). */
  async listen(): Promise<void> {
    await listenOn(this.server, this.config.host, this.config.port);
    if (this.implicitServer) await listenOn(this.implicitServer, this.config.host, this.config.tls!.implicitPort!);
  }

  get url(): string {
    return urlOf('ftp', this.server);
  }

  /** The implicit FTPS URL, when that port is configured. */
  get implicitUrl(): string | null {
    return this.implicitServer ? urlOf('ftps', this.implicitServer) : null;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Re-reads the users file; sessions already logged in keep going. */
  reloadUsers(): Promise<void> {
    return this.authenticator.reload();
  }

  /** Stops accepting, tells every session 421 and closes it. */
  async close(): Promise<void> {
    const stopped = [this.server, this.implicitServer]
      .filter((s): s is net.Server => s !== null)
      .map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const session of this.sessions) session.closeWith(Reply.ServiceUnavailable, 'Server shutting down');
    await Promise.all(stopped);
  }

  private accept(socket: net.Socket, implicitTls: boolean): void {
    const ip = unmapIPv4(socket.remoteAddress ?? '');
    socket.on('error', () => undefined);
    const refusal = this.refusalFor(ip);
    if (refusal) {
      this.log.warn({ client: ip, reason: refusal }, 'connection refused');
      // An implicit-TLS client cannot read a plaintext reply; it just sees the connection close.
      if (implicitTls) socket.destroy();
      else socket.end(formatReply(Reply.ServiceUnavailable, refusal));
      return;
    }
    const session = new Session(socket, this.context);
    this.sessions.add(session);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    session.log.info({ tls: implicitTls ? 'implicit' : undefined }, 'connection opened');
    void session.start(implicitTls).then(() => {
      this.sessions.delete(session);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left === 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
      session.log.info({ durationMs: Date.now() - session.startedAt }, 'connection closed');
    });
  }

  private refusalFor(ip: string): string | null {
    if (this.context.loginGuard.isBanned(ip)) return 'Too many failed logins; try again later';
    if (this.sessions.size >= this.config.maxClients) return 'Too many users, try again later';
    if ((this.perIp.get(ip) ?? 0) >= this.config.maxPerIp) return 'Too many connections from your address';
    return null;
  }
}

function listenOn(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlOf(scheme: string, server: net.Server): string {
  const address = server.address() as net.AddressInfo;
  return `${scheme}://${formatHostForUrl(address.address)}:${address.port}`;
}
