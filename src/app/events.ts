/**
 * The application's moments as typed events, emitted by every door from the
 * few places that know them (a door's server and session code, the core's
 * login and shutdown) and nowhere else. The log lines (logEvents.ts), the
 * xferlog and the metrics subscribe; none of them counts or times anything on
 * the side. Every payload names its session, and so its door, its id, its
 * client's address and its user: a web download and an FTP RETR are the same
 * event with a different door.
 */
import type { Logger } from 'pino';
import type { FileErrorCode } from '../core/errors.js';

/** The protocols sockftp serves; each is a folder of its own (src/ftp/, src/http/). */
export type Door = 'ftp' | 'http' | 'sftp';

/** Who an event is about, whatever the door: an FTP control connection, a web sign-in or request. */
export interface SessionRef {
  readonly door: Door;
  /** Unique within the door and the process; never a secret (a web session's cookie is not its id). */
  readonly id: string | number;
  /** The client's address, as limits, bans and logs see it (a load balancer's PROXY header already applied). */
  readonly remoteAddress: string;
  /** The logged-in account's name; null before login. */
  readonly user: string | null;
  /** The session's own logger, whose lines carry the door, the session and the client. */
  readonly log: Logger;
}

export type TransferDirection = 'upload' | 'download' | 'listing';
/** ok: complete; aborted: the client stopped it (FTP's ABOR, a closed connection) or a forced shutdown; failed: anything else. */
export type TransferResult = 'ok' | 'aborted' | 'failed';
export type ShutdownPhase = 'draining' | 'forced' | 'stopped';
/** What a client changed besides a file's bytes. */
export type FileAction = 'delete' | 'rmdir' | 'mkdir' | 'rename';

export interface TransferFinished {
  readonly session: SessionRef;
  readonly direction: TransferDirection;
  readonly path: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly result: TransferResult;
  /** The door's final word on it: FTP's reply (226, 425, 426, 451, 550, 552...), the web's status (200, 206, 204...). */
  readonly code: number;
  /** Null when the session is no longer logged in (a USER sent during the transfer logs it out). */
  readonly user: string | null;
  readonly anonymous: boolean;
  readonly ascii: boolean;
  /** Of `bytes`, those sent by sendfile(2) (the native zero-copy path); 0 when the bytes were copied. */
  readonly zeroCopyBytes: number;
}

export interface ServerEventMap {
  sessionOpened: { readonly session: SessionRef; readonly tls: 'implicit' | null };
  sessionClosed: { readonly session: SessionRef; readonly durationMs: number };
  loginOk: { readonly session: SessionRef; readonly user: string };
  loginFailed: { readonly session: SessionRef; readonly user: string; readonly banned: boolean };
  /** A command or request has finished; `code` is its last reply or status. `known`: a verb of the door's own table (metrics label the rest OTHER). */
  command: { readonly session: SessionRef; readonly verb: string; readonly code: number; readonly known: boolean };
  transfer: TransferFinished;
  /** A file or folder deleted, made or renamed (`to` for a rename), on any door. */
  fileAction: { readonly session: SessionRef; readonly action: FileAction; readonly path: string; readonly to?: string };
  /** A share link opened by someone without an account: what was asked (info, unlock, list, file, zip). */
  shareUsed: { readonly session: SessionRef; readonly share: string; readonly action: 'info' | 'unlock' | 'list' | 'file' | 'zip' };
  /** An address is refused for a while after too many failed logins, on whichever door the last one came. */
  ban: { readonly address: string; readonly door: Door };
  /** draining: /readyz says 503 and new sessions are still served; forced: the grace period is over; stopped: every session is closed. */
  shutdown: { readonly phase: ShutdownPhase; readonly reason?: string; readonly graceMs?: number; readonly drainMs?: number; readonly sessions?: number };
  /** A storage operation failed and the client was told (backend: Storage.kind). */
  storageError: { readonly session: SessionRef; readonly backend: string; readonly code: FileErrorCode };
  /** A data channel (FTP's PASV/EPSV listening, PORT/EPRT to connect) starts (true) or stops (false) waiting for its connection. */
  dataWaiting: { readonly session: SessionRef; readonly waiting: boolean };
}

type Listener<K extends keyof ServerEventMap> = (event: ServerEventMap[K]) => void;

export class ServerEvents {
  private readonly listeners = new Map<keyof ServerEventMap, Array<(event: never) => void>>();

  on<K extends keyof ServerEventMap>(name: K, listener: Listener<K>): void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
  }

  /** Calls the listeners at once, in the order they subscribed. */
  emit<K extends keyof ServerEventMap>(name: K, event: ServerEventMap[K]): void {
    for (const listener of (this.listeners.get(name) ?? []) as Array<Listener<K>>) listener(event);
  }
}
