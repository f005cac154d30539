/**
 * The server's moments as typed events, emitted from the few places that
 * know them (FtpServer, Session, the login and transfer code) and nowhere
 * else. The log lines (logEvents.ts), the xferlog and the metrics subscribe;
 * none of them counts or times anything on the side.
 */
import type { FileErrorCode } from '../core/errors.js';
import type { Session } from './Session.js';

export type TransferDirection = 'upload' | 'download' | 'listing';
/** ok: 226; aborted: ABOR, the control connection closing, or a forced shutdown; failed: anything else. */
export type TransferResult = 'ok' | 'aborted' | 'failed';
export type ShutdownPhase = 'draining' | 'forced' | 'stopped';

export interface TransferFinished {
  readonly session: Session;
  readonly direction: TransferDirection;
  readonly path: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly result: TransferResult;
  /** The transfer's final reply (226, 425, 426, 451, 550, 552...). */
  readonly code: number;
  /** Null when the session is no longer logged in (a USER sent during the transfer logs it out). */
  readonly user: string | null;
  readonly anonymous: boolean;
  readonly ascii: boolean;
  /** Of `bytes`, those sent by sendfile(2) (the native zero-copy path); 0 when the bytes were copied. */
  readonly zeroCopyBytes: number;
}

export interface ServerEventMap {
  sessionOpened: { readonly session: Session; readonly tls: 'implicit' | null };
  sessionClosed: { readonly session: Session; readonly durationMs: number };
  loginOk: { readonly session: Session; readonly user: string };
  loginFailed: { readonly session: Session; readonly user: string; readonly banned: boolean };
  /** A command has finished; `code` is the last reply it sent (a transfer's final reply, for RETR and the like). */
  command: { readonly session: Session; readonly verb: string; readonly code: number };
  transfer: TransferFinished;
  /** An address is refused for a while after too many failed logins. */
  ban: { readonly address: string };
  /** draining: /readyz says 503 and new sessions are still served; forced: the grace period is over; stopped: every session is closed. */
  shutdown: { readonly phase: ShutdownPhase; readonly reason?: string; readonly graceMs?: number; readonly drainMs?: number; readonly sessions?: number };
  /** A storage operation failed and the client was told (backend: Storage.kind). */
  storageError: { readonly session: Session; readonly backend: string; readonly code: FileErrorCode };
  /** A data channel (PASV/EPSV listening, PORT/EPRT to connect) starts (true) or stops (false) waiting for its connection. */
  dataWaiting: { readonly session: Session; readonly waiting: boolean };
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
