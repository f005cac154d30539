/**
 * The FTP door's listener: accepts control connections (plain, and implicit
 * FTPS on a second port), admits them through the core's connection limits
 * and bans, hands each to a Session, and drains or cuts them when the core
 * shuts down.
 */
import * as net from 'node:net';
import type { App, DoorHandle } from '../app/App.js';
import type { Admission } from '../app/ConnectionLimits.js';
import { formatHostForUrl } from '../net/hosts.js';
import { Reply, formatReply } from './protocol/replies.js';
import { capabilitiesOf } from '../core/capabilities.js';
import { commandTable } from './commandTable.js';
import { PROXY_HEADER_TIMEOUT_MS, controlOrigin, directOrigin, type ClientOrigin } from '../net/proxyAccept.js';
import type { FtpConfig, ServerConfig } from './ServerConfig.js';
import { TransferCounter } from './transferBuffers.js';
import { Session, type SessionContext } from './Session.js';

/** Linux caps this at net.core.somaxconn; 511 matches nginx and keeps bursts of 200 clients from being dropped. */
const LISTEN_BACKLOG = 511;

export class FtpServer {
  private readonly server: net.Server;
  private readonly implicitServer: net.Server | null;
  /** Each session, with the promise that settles once it has closed and cleaned up. */
  private readonly sessions = new Map<Session, Promise<void>>();
  /** Made by listen(), once the served root has been opened and what its storage can do is known. */
  private context: SessionContext | null = null;
  private readonly transfers = new TransferCounter();
  /** Connections from a trusted load balancer whose PROXY header has not come yet (--proxy-protocol-from). */
  private readonly awaitingHeader = new Set<net.Socket>();
  /** The door's settings with the core's as they are now, made again when SIGHUP changes the core's (App.updateLimits). */
  private merged: { app: App['config']; config: ServerConfig } | null = null;

  constructor(
    private readonly ftp: FtpConfig,
    private readonly app: App,
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket, false));
    this.implicitServer = ftp.tls?.implicitPort != null ? net.createServer({ noDelay: true }, (socket) => this.accept(socket, true)) : null;
  }

  /**
   * Opens the served root (a missing directory or a bad location fails here,
   * not at the first login), then listens; resolves once every port is bound
   * (their real numbers also when 0 was asked for).
   */
  async listen(): Promise<void> {
    const root = await this.app.storage.open(this.config.root);
    const current = (): ServerConfig => this.config;
    this.context = {
      get config() {
        return current();
      },
      app: this.app,
      commands: commandTable,
      log: this.app.log.child({ door: 'ftp' }),
      events: this.app.events,
      transfers: this.transfers,
      rootCapabilities: capabilitiesOf(root),
    };
    await listenOn(this.server, this.config.host, this.config.port);
    if (this.implicitServer) await listenOn(this.implicitServer, this.config.host, this.config.tls!.implicitPort!);
  }

  get config(): ServerConfig {
    const app = this.app.config;
    if (this.merged?.app !== app) this.merged = { app, config: { ...this.ftp, ...app } };
    return this.merged.config;
  }

  get url(): string {
    return urlOf('ftp', this.server);
  }

  /** The implicit FTPS URL, when that port is configured. */
  get implicitUrl(): string | null {
    return this.implicitServer ? urlOf('ftps', this.implicitServer) : null;
  }

  /** What the core's shutdown drives (App.shutdown). */
  get door(): DoorHandle {
    return {
      door: 'ftp',
      drain: () => {
        for (const server of [this.server, this.implicitServer]) server?.close();
        for (const socket of this.awaitingHeader) socket.destroy();
        for (const session of this.sessions.keys()) session.requestShutdown();
        return Promise.all(this.sessions.values()).then(() => undefined);
      },
      forceClose: async () => {
        await Promise.all([...this.sessions.keys()].map((s) => s.forceClose()));
        await Promise.all(this.sessions.values());
      },
      stats: () => ({ sessions: this.sessions.size, transfers: this.transfers.active }),
    };
  }

  private accept(socket: net.Socket, implicitTls: boolean): void {
    socket.on('error', () => undefined);
    const trusted = this.config.proxyProtocolFrom;
    if (!trusted) return this.admit(socket, implicitTls, directOrigin(socket));
    // Behind a load balancer the client's address comes first, so limits and bans apply to it (proxyAccept.ts).
    this.awaitingHeader.add(socket);
    const timeoutMs = Math.min(this.config.loginTimeoutMs, PROXY_HEADER_TIMEOUT_MS);
    void controlOrigin(socket, trusted, implicitTls, timeoutMs, this.context!.log).then((origin) => {
      this.awaitingHeader.delete(socket);
      if (origin && !socket.destroyed) this.admit(socket, implicitTls, origin);
    });
  }

  private admit(socket: net.Socket, implicitTls: boolean, origin: ClientOrigin): void {
    const ip = origin.address;
    const admission = this.app.connections.admit(ip);
    if ('refusal' in admission) {
      this.context!.log.warn({ client: ip, proxy: origin.via ?? undefined, reason: admission.refusal }, 'connection refused');
      // An implicit-TLS client cannot read a plaintext reply; it just sees the connection close.
      if (implicitTls) socket.destroy();
      else socket.end(formatReply(Reply.ServiceUnavailable, admission.refusal));
      return;
    }
    this.start(socket, implicitTls, origin, admission.admitted);
  }

  private start(socket: net.Socket, implicitTls: boolean, origin: ClientOrigin, place: Admission): void {
    const session = new Session(socket, this.context!, origin);
    this.app.events.emit('sessionOpened', { session, tls: implicitTls ? 'implicit' : null });
    const closed = session.start(implicitTls).then(() => {
      this.sessions.delete(session);
      place.release();
      this.app.events.emit('sessionClosed', { session, durationMs: Date.now() - session.startedAt });
    });
    this.sessions.set(session, closed);
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
