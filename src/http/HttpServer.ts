/**
 * The web front door (--http-address): node:http or node:https, the route
 * table, sessions and their CSRF tokens, security headers on every response.
 * It is a peer of FTP on the core (app/App.ts): the core's login flow and
 * LoginGuard, its connection limits, its StorageProvider and events, and one
 * FileOperations per request; FileErrors become statuses in errorStatus.ts
 * only.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type * as net from 'node:net';
import type { App, DoorHandle } from '../app/App.js';
import { storageFailure } from '../app/storageErrors.js';
import { formatHostForUrl, unmapIPv4 } from '../net/hosts.js';
import { tlsProfile } from '../net/tlsProfile.js';
import { sessionRefOf, type HttpApp, type HttpDoorConfig, type RequestContext } from './context.js';
import { SESSION_COOKIE, readCookie } from './cookies.js';
import { HttpError } from './HttpError.js';
import { banned } from './loginAttempts.js';
import { RateLimiter } from './RateLimiter.js';
import { sendError } from './respond.js';
import { Router } from './router.js';
import { routes } from './routes.js';
import { setSecurityHeaders } from './securityHeaders.js';
import { SessionStore, sameToken } from './SessionStore.js';
import { ShareStore } from './shares/ShareStore.js';
import { ShareUnlocks } from './shares/ShareUnlocks.js';
import { StagingArea } from './tus/StagingArea.js';
import { TusUploads } from './tus/TusUploads.js';

/** Requests per session (or per address before login): a burst for a page with many thumbnails, then a steady rate. */
const REQUEST_BURST = 300;
const REQUESTS_PER_SECOND = 100;
/** Login attempts per address, wrong or right: the LoginGuard bans on failures, this stops a flood of any kind. */
const LOGIN_BURST = 20;
const LOGINS_PER_SECOND = 2;
/** How often idle sessions and stale uploads are swept. */
const SWEEP_INTERVAL_MS = 60_000;
const SOCKET_IDLE_MS = 120_000;
const KEEP_ALIVE_MS = 65_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class HttpServer {
  private readonly server: http.Server;
  private readonly router = new Router(routes);
  readonly app: HttpApp;
  private sweeper: NodeJS.Timeout | null = null;
  /** Connections over the core's limits (every door's together): their requests get 503 (or 429 for a ban) and the connection is closed. */
  private readonly refused = new WeakMap<net.Socket, HttpError>();
  private readonly connections = new Set<net.Socket>();

  /** Reads the shares file (a broken one fails here, at start). */
  static async create(config: HttpDoorConfig, core: App): Promise<HttpServer> {
    return new HttpServer(config, core, await ShareStore.open(config.sharesFile));
  }

  private constructor(config: HttpDoorConfig, core: App, shares: ShareStore) {
    this.app = {
      config,
      core,
      log: core.log.child({ door: 'http' }),
      transfers: { running: 0 },
      sessions: new SessionStore({ idleMs: config.idleMs, maxSessions: config.maxSessions }),
      uploads: new TusUploads(new StagingArea(config.stagingDir, config.stagingExpiryMs), config.maxUploadBytes),
      shares,
      shareUnlocks: new ShareUnlocks(),
      requestLimit: new RateLimiter(REQUEST_BURST, REQUESTS_PER_SECOND),
      loginLimit: new RateLimiter(LOGIN_BURST, LOGINS_PER_SECOND),
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = config.tls ? https.createServer({ ...tlsProfile, cert: config.tls.cert, key: config.tls.key }, handler) : http.createServer(handler);
    // Counted per connection, the place held until it closes; over HTTPS once the handshake is done, since a
    // request's socket is then the TLS socket, the one whose refusal the handler looks up.
    this.server.on(config.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => this.admit(socket));
    // Slowloris: headers must come within this. A body (an upload of gigabytes) has no overall limit, only the idle one below.
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 0;
    // A connection that moves nothing for this long is closed: a stalled upload is resumed by its client (tus), not waited for.
    this.server.timeout = SOCKET_IDLE_MS;
    // Node's default of 5 s closes idle keep-alive connections about when clients reuse them (undici keeps
    // them 4 s, browsers longer): a request sent as the server closes fails with "other side closed". The
    // server says 65 s in Keep-Alive, which clients honour, so an idle connection is closed by its client.
    this.server.keepAliveTimeout = KEEP_ALIVE_MS;
  }

  /** Opens the staging directory (sweeping what an earlier run left), then listens. */
  async listen(): Promise<void> {
    await this.app.uploads.staging.open();
    await this.sweep();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.app.config.host, port: this.app.config.port }, () => {
        this.server.off('error', reject);
        this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
        resolve();
      });
    });
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `${this.app.config.tls ? 'https' : 'http'}://${formatHostForUrl(address.address)}:${address.port}`;
  }

  /** What the core's shutdown drives (App.shutdown): stop accepting, let requests under way finish, then cut what is left. */
  get door(): DoorHandle {
    let closed: Promise<void> | null = null;
    const close = () => {
      if (this.sweeper) clearInterval(this.sweeper);
      closed ??= new Promise<void>((resolve) => this.server.close(() => resolve()));
      return closed;
    };
    return {
      door: 'http',
      drain: () => {
        const done = close();
        this.server.closeIdleConnections();
        return done;
      },
      forceClose: () => {
        const done = close();
        this.server.closeAllConnections();
        return done;
      },
      stats: () => ({ sessions: this.connections.size, transfers: this.app.transfers.running }),
    };
  }

  private admit(socket: net.Socket): void {
    const admission = this.app.core.connections.admit(unmapIPv4(socket.remoteAddress ?? ''));
    if ('refusal' in admission) {
      this.refused.set(socket, admission.banned ? banned() : new HttpError('busy', admission.refusal, { 'Retry-After': '5', Connection: 'close' }));
      return;
    }
    this.connections.add(socket);
    socket.once('close', () => {
      this.connections.delete(socket);
      admission.admitted.release();
    });
  }

  private async sweep(): Promise<void> {
    this.app.sessions.sweep();
    try {
      const removed = await this.app.uploads.staging.sweep();
      if (removed > 0) this.app.log.info({ removed, dir: this.app.uploads.staging.dir }, 'stale web uploads removed');
    } catch (err) {
      this.app.log.warn({ err: (err as Error).message }, 'could not sweep web uploads');
    }
  }

  /** One line per request once answered: who, what, the status; downloads and changes at info, the rest at debug. */
  private logWhenDone(ctx: RequestContext, route: string): void {
    const started = performance.now();
    ctx.res.once('close', () => {
      // A request is the web's command: the same event, named by its route (bounded, unlike its URL).
      this.app.core.events.emit('command', { session: ctx.who, verb: `${ctx.req.method} ${route}`, code: ctx.res.statusCode, known: true });
      const level = SAFE_METHODS.has(ctx.req.method ?? 'GET') && !LOGGED_GETS.has(route) ? 'debug' : 'info';
      if (!this.app.log.isLevelEnabled(level)) return;
      const path = ctx.url.searchParams.getAll('path');
      this.app.log[level](
        {
          client: ctx.address,
          user: ctx.session?.account.name,
          share: ctx.params.id && route.startsWith('/api/s/') ? ctx.params.id : undefined,
          method: ctx.req.method,
          route,
          path: path.length > 0 ? path : undefined,
          status: ctx.res.statusCode,
          complete: ctx.res.writableFinished,
          ms: Math.round(performance.now() - started),
        },
        'web request',
      );
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    let ctx: RequestContext | null = null;
    try {
      const url = parseUrl(req.url);
      const match = this.router.match(req.method ?? 'GET', url.pathname);
      if (!match) throw new HttpError('not_found', 'Not found');
      if (!('route' in match)) throw new HttpError('method_not_allowed', 'Method not allowed', { Allow: match.allow.join(', ') });
      const refusal = this.refused.get(req.socket);
      if (refusal) {
        res.shouldKeepAlive = false;
        throw refusal;
      }
      const address = unmapIPv4(req.socket.remoteAddress ?? '');
      const session = this.app.sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE));
      if (!this.app.requestLimit.take(session ? `s:${session.id}` : `a:${address}`))
        throw new HttpError('rate_limited', 'Too many requests; slow down', { 'Retry-After': '1' });
      if (match.route.access === 'user') {
        if (!session) throw new HttpError('not_logged_in', 'Not logged in');
        const token = req.headers['x-csrf-token'];
        if (!SAFE_METHODS.has(req.method ?? 'GET') && !sameToken(typeof token === 'string' ? token : undefined, session.csrf))
          throw new HttpError('csrf', 'Missing or wrong X-CSRF-Token');
        // Whatever this request changes, the session's next listing reads it: a listing kept while it ran
        // (the page reloading a folder during an upload's last PATCH) is dropped when it ends too.
        if (!SAFE_METHODS.has(req.method ?? 'GET')) {
          session.changed();
          res.once('close', () => session.changed());
        }
      }
      const who = sessionRefOf(this.app.log, address, session);
      ctx = { req, res, url, address, secure: Boolean(this.app.config.tls), app: this.app, params: match.params, session, who };
      this.logWhenDone(ctx, match.route.path);
      await match.route.handle(ctx);
    } catch (err) {
      if (isClientGone(err, res)) return;
      const failure = storageFailure(err);
      if (failure && ctx?.session) this.app.core.events.emit('storageError', { session: ctx.who, backend: ctx.session.storage.kind, code: failure.code });
      if (sendError(res, err)) this.app.log.error({ err, method: req.method, url: req.url }, 'request failed');
    }
  }
}

/** Routes whose every request an operator wants to see (what left or changed the storage); the rest are at debug. */
const LOGGED_GETS = new Set(['/api/file', '/api/zip', '/api/s/:id/file', '/api/s/:id/zip']);

function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    throw new HttpError('bad_request', 'Bad URL');
  }
}

/** A client that went away midway (a cancelled download) is not a failure to log. */
function isClientGone(err: unknown, res: http.ServerResponse): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE' && (res.destroyed || res.req.destroyed);
}
