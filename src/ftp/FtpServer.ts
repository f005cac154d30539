/**
 * The listening server: accepts control connections (plain, and implicit
 * FTPS on a second port), enforces connection limits and login bans, hands
 * each connection to a Session, and shuts down.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Logger } from 'pino';
import { LoginGuard } from '../auth/LoginGuard.js';
import type { LoginAuthenticator } from '../auth/LoginAuthenticator.js';
import { formatHostForUrl } from '../net/hosts.js';
import { Reply, formatReply } from './protocol/replies.js';
import { capabilitiesOf } from '../core/capabilities.js';
import type { StorageProvider } from '../core/StorageProvider.js';
import { commandTable } from './commandTable.js';
import { PROXY_HEADER_TIMEOUT_MS, controlOrigin, directOrigin, type ClientOrigin } from './proxyAccept.js';
import { ServerEvents } from './events.js';
import { logEvents } from './logEvents.js';
import type { Limits, ServerConfig } from './ServerConfig.js';
import { TransferCounter } from './transferBuffers.js';
import { recordTransfers, type TransferLog } from './TransferLog.js';
import { Session, type SessionContext } from './Session.js';

/** Linux caps this at net.core.somaxconn; 511 matches nginx and keeps bursts of 200 clients from being dropped. */
const LISTEN_BACKLOG = 511;
/** After aborting transfers at the end of the grace period, how long sockets get to close. */
const FORCED_CLOSE_MS = 5_000;

function mebibytes(bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10;
}

/** Open file descriptors of this process (Linux /proc); -1 where that is not available. */
function openDescriptors(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

export class FtpServer {
  private readonly server: net.Server;
  private readonly implicitServer: net.Server | null;
  /** Each session, with the promise that settles once it has closed and cleaned up. */
  private readonly sessions = new Map<Session, Promise<void>>();
  private readonly perIp = new Map<string, number>();
  /** Made by listen(), once the served root has been opened and what its storage can do is known. */
  private context: SessionContext | null = null;
  /** Failed logins per address; the web door counts in this same one (src/http/), so neither door is a side door for guessing. */
  readonly loginGuard: LoginGuard;
  private readonly transfers = new TransferCounter();
  /** Connections from a trusted load balancer whose PROXY header has not come yet (--proxy-protocol-from). */
  private readonly awaitingHeader = new Set<net.Socket>();
  /** The server's moments (events.ts): its logs and the xferlog subscribe here, and so may metrics. */
  readonly events = new ServerEvents();

  /** The configuration in force: SIGHUP swaps in new limits (updateLimits), and sessions read it through their context. */
  private current: ServerConfig;

  constructor(
    config: ServerConfig,
    private readonly authenticator: LoginAuthenticator,
    private readonly storage: StorageProvider,
    private readonly log: Logger,
    transferLog: TransferLog | null = null,
  ) {
    logEvents(this.events, log);
    if (transferLog) recordTransfers(this.events, transferLog);
    this.current = config;
    this.loginGuard = new LoginGuard(config.loginGuard);
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket, false));
    this.implicitServer = config.tls?.implicitPort != null ? net.createServer({ noDelay: true }, (socket) => this.accept(socket, true)) : null;
  }

  /**
   * Opens the served root (a missing directory or a bad location fails here,
   * not at the first login), then listens; resolves once every port is bound
   * (their real numbers also when 0 was asked for).
   */
  async listen(): Promise<void> {
    const root = await this.storage.open(this.config.root);
    const current = (): ServerConfig => this.current;
    this.context = {
      get config() {
        return current();
      },
      authenticator: this.authenticator,
      commands: commandTable,
      log: this.log,
      events: this.events,
      transfers: this.transfers,
      loginGuard: this.loginGuard,
      storage: this.storage,
      rootCapabilities: capabilitiesOf(root),
    };
    await listenOn(this.server, this.config.host, this.config.port);
    if (this.implicitServer) await listenOn(this.implicitServer, this.config.host, this.config.tls!.implicitPort!);
  }

  get config(): ServerConfig {
    return this.current;
  }

  /**
   * New limits while running: new connections are counted against them, each
   * session's next login or idle timer uses them, and the login guard judges
   * the next failure by them. Sessions already open are not cut.
   */
  updateLimits(limits: Limits): void {
    const { maxClients, maxPerIp, idleTimeoutMs, loginTimeoutMs, loginGuard } = limits;
    this.current = { ...this.current, maxClients, maxPerIp, idleTimeoutMs, loginTimeoutMs, loginGuard };
    this.loginGuard.reconfigure(loginGuard);
  }

  get url(): string {
    return urlOf('ftp', this.server);
  }

  /** The implicit FTPS URL, when that port is configured. */
  get implicitUrl(): string | null {
    return this.implicitServer ? urlOf('ftps', this.implicitServer) : null;
  }

  /** Re-reads the users file; sessions already logged in keep going. */
  reloadUsers(): Promise<void> {
    return this.authenticator.reload();
  }

  /**
   * Graceful shutdown. First the "draining" event (the admin listener's
   * /readyz turns 503 on it) while sessions are still accepted and served for
   * `drainMs`, so a load balancer sends newcomers elsewhere before anyone is
   * refused. Then stop accepting, send idle sessions 421, let running
   * transfers finish for up to `graceMs`, abort what is left (an upload cut
   * here is never committed) and resolve once every session is closed.
   */
  async shutdown(graceMs: number, drainMs = 0, reason?: string): Promise<void> {
    this.events.emit('shutdown', { phase: 'draining', reason, graceMs, drainMs });
    if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
    for (const server of [this.server, this.implicitServer]) server?.close();
    for (const socket of this.awaitingHeader) socket.destroy();
    for (const session of this.sessions.keys()) session.requestShutdown();
    if (!(await this.allClosedWithin(graceMs))) {
      this.events.emit('shutdown', { phase: 'forced', sessions: this.sessions.size });
      await Promise.all([...this.sessions.keys()].map((s) => s.forceClose()));
      await this.allClosedWithin(FORCED_CLOSE_MS);
    }
    this.events.emit('shutdown', { phase: 'stopped' });
  }

  /** What an operator asks on SIGUSR2: sessions, transfers, open descriptors and memory. */
  stats(): Record<string, number> {
    // Under `node --expose-gc` the heap figure is what is really still held, not garbage not yet collected.
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    return {
      sessions: this.sessions.size,
      transfers: this.transfers.active,
      fds: openDescriptors(),
      heapUsedMiB: mebibytes(memory.heapUsed),
      externalMiB: mebibytes(memory.external),
      rssMiB: mebibytes(memory.rss),
    };
  }

  private async allClosedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const closed = Promise.all(this.sessions.values()).then(() => true as const);
    try {
      return await Promise.race([closed, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private accept(socket: net.Socket, implicitTls: boolean): void {
    socket.on('error', () => undefined);
    const trusted = this.config.proxyProtocolFrom;
    if (!trusted) return this.admit(socket, implicitTls, directOrigin(socket));
    // Behind a load balancer the client's address comes first, so limits and bans apply to it (proxyAccept.ts).
    this.awaitingHeader.add(socket);
    const timeoutMs = Math.min(this.config.loginTimeoutMs, PROXY_HEADER_TIMEOUT_MS);
    void controlOrigin(socket, trusted, implicitTls, timeoutMs, this.log).then((origin) => {
      this.awaitingHeader.delete(socket);
      if (origin && !socket.destroyed) this.admit(socket, implicitTls, origin);
    });
  }

  private admit(socket: net.Socket, implicitTls: boolean, origin: ClientOrigin): void {
    const ip = origin.address;
    const refusal = this.refusalFor(ip);
    if (refusal) {
      this.log.warn({ client: ip, proxy: origin.via ?? undefined, reason: refusal }, 'connection refused');
      // An implicit-TLS client cannot read a plaintext reply; it just sees the connection close.
      if (implicitTls) socket.destroy();
      else socket.end(formatReply(Reply.ServiceUnavailable, refusal));
      return;
    }
    const session = new Session(socket, this.context!, origin);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    this.events.emit('sessionOpened', { session, tls: implicitTls ? 'implicit' : null });
    const closed = session.start(implicitTls).then(() => {
      this.sessions.delete(session);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left === 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
      this.events.emit('sessionClosed', { session, durationMs: Date.now() - session.startedAt });
    });
    this.sessions.set(session, closed);
  }

  private refusalFor(ip: string): string | null {
    if (this.loginGuard.isBanned(ip)) return 'Too many failed logins; try again later';
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
