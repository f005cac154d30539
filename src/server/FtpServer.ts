/**
 * The listening server: accepts control connections, enforces connection
 * limits, hands each connection to a Session, and shuts down.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { Account, Authenticator } from '../auth/Account.js';
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
  private readonly sessions = new Set<Session>();
  private readonly perIp = new Map<string, number>();
  private readonly context: SessionContext;

  constructor(
    readonly config: ServerConfig,
    authenticator: Authenticator,
    private readonly log: Logger,
  ) {
    this.context = {
      config,
      authenticator,
      commands: commandTable,
      log,
      openStorage: (account: Account): Promise<Storage> => LocalStorage.open(account.home),
    };
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the real address (also when port 0 was asked for). */
  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.config.host, port: this.config.port, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', reject);
        resolve(this.address);
      });
    });
  }

  get address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  get url(): string {
    return `ftp://${formatHostForUrl(this.address.address)}:${this.address.port}`;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Stops accepting, tells every session 421 and closes it. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.closeWith(Reply.ServiceUnavailable, 'Server shutting down');
    await stopped;
  }

  private accept(socket: net.Socket): void {
    const ip = unmapIPv4(socket.remoteAddress ?? '');
    socket.on('error', () => undefined);
    const refusal = this.refusalFor(ip);
    if (refusal) {
      this.log.warn({ client: ip, reason: refusal }, 'connection refused');
      socket.end(formatReply(Reply.ServiceUnavailable, refusal));
      return;
    }
    const session = new Session(socket, this.context);
    this.sessions.add(session);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    session.log.info('connection opened');
    void session.start().then(() => {
      this.sessions.delete(session);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left === 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
      session.log.info({ user: session.account?.name ?? null, durationMs: Date.now() - session.startedAt }, 'connection closed');
    });
  }

  private refusalFor(ip: string): string | null {
    if (this.sessions.size >= this.config.maxClients) return 'Too many users, try again later';
    if ((this.perIp.get(ip) ?? 0) >= this.config.maxPerIp) return 'Too many connections from your address';
    return null;
  }
}
