/**
 * Connections of every door counted together: at most `maxClients` in all
 * and `maxPerIp` from one client address, whichever door they come through,
 * and none from a banned address. An FTP control connection, a web
 * connection and (later) an SSH connection each hold one place until they
 * close, so a client cannot get around the per-address limit by switching
 * protocols. Pure bookkeeping; the door words the refusal.
 */
import type { LoginGuard } from '../auth/LoginGuard.js';

export interface ConnectionLimitValues {
  readonly maxClients: number;
  readonly maxPerIp: number;
}

/** A place taken: give it back once, when the connection has closed. */
export interface Admission {
  release(): void;
}

/** Refused: the words for the client, and whether it is a ban (the door may answer a ban differently from a full house). */
export type AdmissionResult = { readonly admitted: Admission } | { readonly refusal: string; readonly banned: boolean };

export class ConnectionLimits {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly limits: () => ConnectionLimitValues,
    private readonly guard: LoginGuard,
  ) {}

  get open(): number {
    return this.total;
  }

  admit(address: string): AdmissionResult {
    if (this.guard.isBanned(address)) return { refusal: 'Too many failed logins; try again later', banned: true };
    const refusal = this.refusalFor(address);
    if (refusal) return { refusal, banned: false };
    this.total++;
    this.perIp.set(address, (this.perIp.get(address) ?? 0) + 1);
    let released = false;
    return {
      admitted: {
        release: () => {
          if (released) return;
          released = true;
          this.total--;
          const left = (this.perIp.get(address) ?? 1) - 1;
          if (left === 0) this.perIp.delete(address);
          else this.perIp.set(address, left);
        },
      },
    };
  }

  private refusalFor(address: string): string | null {
    const { maxClients, maxPerIp } = this.limits();
    if (this.total >= maxClients) return 'Too many users, try again later';
    if ((this.perIp.get(address) ?? 0) >= maxPerIp) return 'Too many connections from your address';
    return null;
  }
}
