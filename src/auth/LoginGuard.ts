/**
 * Slows down and then shuts out password guessing, per client address, as
 * fail2ban or SFTPGo's defender do: each failed login waits longer before
 * its 530, and too many failures within a window ban the address for a while.
 * Pure bookkeeping with an injectable clock; the session does the waiting.
 */
export interface LoginGuardOptions {
  /** Failures within the window that ban an address. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly banMs: number;
  /** The first failure waits this long; each further one twice as long, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly now?: () => number;
}

/** Addresses remembered at most: an attacker with many addresses must not grow memory without bound. */
const MAX_TRACKED = 100_000;

export class LoginGuard {
  private readonly failures = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();
  private readonly now: () => number;

  constructor(private options: LoginGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** New limits (SIGHUP): failures and bans so far are kept, and judged by the new numbers from the next failure on. */
  reconfigure(options: LoginGuardOptions): void {
    this.options = options;
  }

  isBanned(ip: string): boolean {
    const until = this.bans.get(ip);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(ip);
    return false;
  }

  /** Records a failed login; says how long to wait before answering, and whether the address is now banned. */
  recordFailure(ip: string): { delayMs: number; banned: boolean } {
    const now = this.now();
    const recent = (this.failures.get(ip) ?? []).filter((t) => now - t < this.options.windowMs);
    recent.push(now);
    this.failures.delete(ip);
    this.failures.set(ip, recent);
    this.evictOldest();
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (recent.length - 1));
    if (recent.length < this.options.maxFailures) return { delayMs, banned: false };
    this.failures.delete(ip);
    this.bans.set(ip, now + this.options.banMs);
    return { delayMs, banned: true };
  }

  private evictOldest(): void {
    // Maps iterate in insertion order and recordFailure re-inserts, so the first key is the stalest.
    while (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    while (this.bans.size > MAX_TRACKED) this.bans.delete(this.bans.keys().next().value!);
  }
}
