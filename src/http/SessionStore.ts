/**
 * The web door's logins: a random 32-byte id (the cookie) -> the account, its
 * opened storage and the session's CSRF token, in memory. A session unused
 * for the idle limit is gone; at the cap the least recently used one goes, so
 * memory stays bounded whatever is thrown at the login route.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Account } from '../auth/Account.js';
import type { FileInfo } from '../core/FileInfo.js';
import type { Storage } from '../core/Storage.js';

/** How long a session's last listing serves its next pages (WebSession.listed). */
export const LISTED_MS = 5_000;

export interface WebSession {
  /** The cookie's secret: never logged. */
  readonly id: string;
  /** What logs and events call the session: a number, not the secret. */
  readonly serial: number;
  /** Sent back in X-CSRF-Token on every state change; the cookie alone never suffices. */
  readonly csrf: string;
  readonly account: Account;
  readonly storage: Storage;
  lastSeen: number;
  /**
   * The last directory this session listed, read whole, for the next pages of it: paging through
   * 10,000 entries reads the directory once, not once per page. Dropped by any change the session
   * makes and after a few seconds (others' changes show then).
   */
  listed: { readonly path: string; readonly at: number; readonly entries: readonly FileInfo[] } | null;
  /** Counts the starts and ends of the session's changes: a listing read across one is not kept. */
  changes: number;
  /** A change of this session starts or ends: its kept listing is dropped. */
  changed(): void;
}

export interface SessionStoreOptions {
  readonly idleMs: number;
  readonly maxSessions: number;
  readonly now?: () => number;
}

export class SessionStore {
  /** In order of last use: the first is the stalest. */
  private readonly sessions = new Map<string, WebSession>();
  private readonly now: () => number;
  private serials = 1;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  create(account: Account, storage: Storage): WebSession {
    const session: WebSession = {
      id: token(),
      serial: this.serials++,
      csrf: token(),
      account,
      storage,
      lastSeen: this.now(),
      listed: null,
      changes: 0,
      changed() {
        this.changes++;
        this.listed = null;
      },
    };
    this.sessions.set(session.id, session);
    this.sweep();
    while (this.sessions.size > this.options.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** The live session of this id (and it counts as used now), or null. */
  get(id: string | undefined): WebSession | null {
    if (id === undefined) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    this.sessions.delete(id);
    const now = this.now();
    if (now - session.lastSeen > this.options.idleMs) return null;
    session.lastSeen = now;
    this.sessions.set(id, session);
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Drops the sessions idle too long, and listings kept past their use. */
  sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeen > this.options.idleMs) this.sessions.delete(id);
      else if (session.listed && now - session.listed.at >= LISTED_MS) session.listed = null;
    }
  }
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares a token from a request with the expected one in constant time. */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
