/** What a web route gets: the request, the door's shared parts, and the caller's session. */
import type * as http from 'node:http';
import type { Logger } from 'pino';
import type { App } from '../app/App.js';
import type { SessionRef } from '../app/events.js';
import { FileOperations } from '../core/FileOperations.js';
import { notLoggedIn } from './HttpError.js';
import type { RateLimiter } from './RateLimiter.js';
import type { SessionStore, WebSession } from './SessionStore.js';
import type { ShareStore } from './shares/ShareStore.js';
import type { ShareUnlocks } from './shares/ShareUnlocks.js';
import type { TusUploads } from './tus/TusUploads.js';

export interface HttpDoorConfig {
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key: HTTPS (and Secure cookies) when given. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  /** A session unused this long is ended. */
  readonly idleMs: number;
  readonly maxSessions: number;
  /** The largest upload accepted (413 above). */
  readonly maxUploadBytes: number;
  /** Where unfinished uploads wait for their last byte (a directory on this machine). */
  readonly stagingDir: string;
  /** Unfinished uploads untouched this long are removed. */
  readonly stagingExpiryMs: number;
  /** Where share links are kept across restarts; null: in memory only. */
  readonly sharesFile: string | null;
}

/** The door's parts shared by every request. */
export interface HttpApp {
  readonly config: HttpDoorConfig;
  /** The core every door shares: accounts and the login flow, the login guard, storage, limits, events. */
  readonly core: App;
  /** The door's logger (door: http). */
  readonly log: Logger;
  /** Downloads and uploads under way (WebTransfer), for the operator's stats. */
  readonly transfers: { running: number };
  readonly sessions: SessionStore;
  readonly uploads: TusUploads;
  readonly shares: ShareStore;
  readonly shareUnlocks: ShareUnlocks;
  readonly requestLimit: RateLimiter;
  readonly loginLimit: RateLimiter;
}

export interface RequestContext {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly url: URL;
  /** The client's address as the FTP door writes it (IPv4 unmapped), for the login guard and limits. */
  readonly address: string;
  readonly secure: boolean;
  readonly app: HttpApp;
  readonly params: Readonly<Record<string, string>>;
  readonly session: WebSession | null;
  /** Who the request is, for the core's events: the signed-in session, or this request alone. */
  readonly who: SessionRef;
}

/** The caller's session; routes marked 'user' only run with one. */
export function sessionOf(ctx: RequestContext): WebSession {
  if (!ctx.session) throw notLoggedIn();
  return ctx.session;
}

/** One FileOperations per request, its working directory "/": the same confinement and permission checks as an FTP session's. */
export function filesOf(ctx: RequestContext): FileOperations {
  const session = sessionOf(ctx);
  return new FileOperations(session.account, session.storage, (change) => ctx.app.core.events.emit('fileAction', { session: ctx.who, ...change }));
}

let anonymousRequests = 0;

/** The request as the core's events name it: its web session's serial (s1, s2...), or one of its own (r1, r2...) before sign-in. */
export function sessionRefOf(log: Logger, address: string, session: WebSession | null): SessionRef {
  const id = session ? `s${session.serial}` : `r${++anonymousRequests}`;
  let own: Logger | null = null;
  return {
    door: 'http',
    id,
    remoteAddress: address,
    user: session?.account.name ?? null,
    // Made only when a line is written: most requests write none.
    get log() {
      own ??= log.child({ session: id, client: address, ...(session ? { user: session.account.name } : {}) });
      return own;
    },
  };
}
