/**
 * The application core every door takes as a peer: the accounts and their
 * one login flow with the LoginGuard (delays and bans per client address,
 * across doors), the StorageProvider, the connection limits shared by every
 * door, the event bus, readiness and the shutdown sequence. It knows nothing
 * of FTP, HTTP or SSH: a door adapts its protocol to these calls, and a new
 * door is a folder that does the same (ARCHITECTURE.md, "Adding a door").
 */
import * as fs from 'node:fs';
import type { Logger } from 'pino';
import type { Account } from '../auth/Account.js';
import type { AnonymousPolicy } from '../auth/anonymousPolicy.js';
import { LoginAuthenticator } from '../auth/LoginAuthenticator.js';
import { LoginGuard, type LoginGuardOptions } from '../auth/LoginGuard.js';
import type { Storage } from '../core/Storage.js';
import type { StorageProvider } from '../core/StorageProvider.js';
import { ConnectionLimits } from './ConnectionLimits.js';
import { ServerEvents, type Door, type SessionRef } from './events.js';
import { logEvents } from './logEvents.js';
import { recordTransfers, type TransferLog } from './TransferLog.js';

/** What the core is configured with; each door has its own settings beside it (listening address, TLS...). */
export interface AppConfig {
  /** Served location; anonymous users see it as "/", and so do accounts without a home. */
  readonly root: string;
  readonly anonymous: AnonymousPolicy;
  readonly usersFile: string | null;
  /** Connections of every door together, and from one client address. */
  readonly maxClients: number;
  readonly maxPerIp: number;
  /** A session that completes no command for this long is closed (bytes alone don't count). */
  readonly idleTimeoutMs: number;
  /** A session not logged in after this long is closed. */
  readonly loginTimeoutMs: number;
  readonly loginGuard: LoginGuardOptions;
}

/** What a running server can change (SIGHUP): new connections and the next timers get the new values. */
export type Limits = Pick<AppConfig, 'maxClients' | 'maxPerIp' | 'idleTimeoutMs' | 'loginTimeoutMs' | 'loginGuard'>;

/** A door as the shutdown sequence sees it. */
export interface DoorHandle {
  readonly door: Door;
  /** Stops accepting and asks every session to finish (an idle one at once, a transfer after its end); resolves once all have closed. */
  drain(): Promise<void>;
  /** The grace period is over: cuts what is left (an upload cut here is never committed); resolves once it is closed. */
  forceClose(): Promise<void>;
  /** Sessions open now, and transfers running now. */
  stats(): { readonly sessions: number; readonly transfers: number };
}

/** How a login ended; the core has already counted it, waited for nothing, and emitted its events. */
export type LoginOutcome =
  | { readonly kind: 'ok'; readonly account: Account; readonly storage: Storage }
  /** The address was banned before this attempt: the password was not looked at. */
  | { readonly kind: 'banned' }
  /** A wrong name or password (or, said the same way, a home that cannot be opened): answer after `delayMs`; `banned` if this one banned the address. */
  | { readonly kind: 'failed'; readonly delayMs: number; readonly banned: boolean };

export interface AppParts {
  readonly config: AppConfig;
  readonly authenticator: LoginAuthenticator;
  readonly storage: StorageProvider;
  readonly log: Logger;
  readonly transferLog?: TransferLog | null;
}

/** After aborting transfers at the end of the grace period, how long sockets get to close. */
const FORCED_CLOSE_MS = 5_000;

export class App {
  readonly events = new ServerEvents();
  readonly loginGuard: LoginGuard;
  readonly connections: ConnectionLimits;
  readonly authenticator: LoginAuthenticator;
  readonly storage: StorageProvider;
  readonly log: Logger;
  private readonly doors: DoorHandle[] = [];
  private current: AppConfig;
  private accepting = true;

  /** Reads the users file (a broken one fails here, at start) and makes the core. */
  static async create(config: AppConfig, storage: StorageProvider, log: Logger, transferLog: TransferLog | null = null): Promise<App> {
    const authenticator = await LoginAuthenticator.create(config.root, config.anonymous, config.usersFile);
    return new App({ config, authenticator, storage, log, transferLog });
  }

  constructor(parts: AppParts) {
    this.current = parts.config;
    this.authenticator = parts.authenticator;
    this.storage = parts.storage;
    this.log = parts.log;
    this.loginGuard = new LoginGuard(parts.config.loginGuard);
    this.connections = new ConnectionLimits(() => this.current, this.loginGuard);
    logEvents(this.events, parts.log);
    if (parts.transferLog) recordTransfers(this.events, parts.transferLog);
  }

  get config(): AppConfig {
    return this.current;
  }

  /** False from the shutdown's first moment: /readyz turns 503 on it. */
  get ready(): boolean {
    return this.accepting;
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

  /** Re-reads the users file; sessions already logged in keep going. */
  reloadUsers(): Promise<void> {
    return this.authenticator.reload();
  }

  /** The served root and every account's own home: where a crash's leftovers are swept. */
  homes(): string[] {
    return [this.current.root, ...this.authenticator.homes()];
  }

  addDoor(door: DoorHandle): void {
    this.doors.push(door);
  }

  /** The doors that are on. */
  get doorNames(): Door[] {
    return this.doors.map((d) => d.door);
  }

  /**
   * The one login flow of every door: a banned address is refused before the
   * password is looked at; a failure is counted against the address, whatever
   * the door (a password guessed over FTP counts toward the same ban as over
   * the web), with a delay that grows; a success opens the account's storage.
   * `adopt` lets the door take the account before the login's event, so its
   * line carries the user; a door whose login makes a new session (the web's)
   * returns it, and the event names that one.
   */
  async login(who: SessionRef, user: string, password: string, adopt?: (account: Account, storage: Storage) => SessionRef | void): Promise<LoginOutcome> {
    if (this.loginGuard.isBanned(who.remoteAddress)) return { kind: 'banned' };
    const account = await this.authenticator.authenticate(user, password);
    if (!account) return { kind: 'failed', ...this.loginFailed(who, user) };
    let storage: Storage;
    try {
      storage = await this.storage.open(account.home);
    } catch (err) {
      // Said as a wrong password, with no delay and no count: the client can do nothing about it, the operator can.
      who.log.error({ user, home: account.home, err: (err as Error).message }, 'home directory unavailable');
      return { kind: 'failed', delayMs: 0, banned: false };
    }
    const session = adopt?.(account, storage) ?? who;
    this.events.emit('loginOk', { session, user: account.name });
    return { kind: 'ok', account, storage };
  }

  /** A wrong password (a login's, or a share link's): counted against the address; how long to wait before answering, and whether it is now banned. */
  loginFailed(who: SessionRef, user: string): { delayMs: number; banned: boolean } {
    const { delayMs, banned } = this.loginGuard.recordFailure(who.remoteAddress);
    this.events.emit('loginFailed', { session: who, user, banned });
    if (banned) this.events.emit('ban', { address: who.remoteAddress, door: who.door });
    return { delayMs, banned };
  }

  /**
   * Graceful shutdown of every door. First the "draining" event (the admin
   * listener's /readyz turns 503 on it) while sessions are still accepted and
   * served for `drainMs`, so a load balancer sends newcomers elsewhere before
   * anyone is refused. Then every door stops accepting and asks its sessions
   * to finish; after `graceMs` what is left is cut. Resolves once every
   * session of every door is closed.
   */
  async shutdown(graceMs: number, drainMs = 0, reason?: string): Promise<void> {
    this.accepting = false;
    this.events.emit('shutdown', { phase: 'draining', reason, graceMs, drainMs });
    if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
    const drained = Promise.all(this.doors.map((door) => door.drain()));
    if (!(await within(drained, graceMs))) {
      this.events.emit('shutdown', { phase: 'forced', sessions: this.sum('sessions') });
      await within(Promise.all(this.doors.map((door) => door.forceClose())), FORCED_CLOSE_MS);
    }
    this.events.emit('shutdown', { phase: 'stopped' });
  }

  /** What an operator asks on SIGUSR2: sessions, transfers, open descriptors and memory. */
  stats(): Record<string, number> {
    // Under `node --expose-gc` the heap figure is what is really still held, not garbage not yet collected.
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    return {
      sessions: this.sum('sessions'),
      transfers: this.sum('transfers'),
      fds: openDescriptors(),
      heapUsedMiB: mebibytes(memory.heapUsed),
      externalMiB: mebibytes(memory.external),
      rssMiB: mebibytes(memory.rss),
    };
  }

  private sum(what: 'sessions' | 'transfers'): number {
    return this.doors.reduce((n, door) => n + door.stats()[what], 0);
  }
}

/** Whether `work` settled within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

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
