/**
 * Token buckets by key (a session id, a client address): `burst` requests at
 * once, refilled at `perSecond`. Pure bookkeeping with an injectable clock;
 * the number of keys is bounded like LoginGuard's addresses.
 */
const MAX_KEYS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when there is none left (the request is refused). */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    this.buckets.delete(key);
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    while (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed;
  }
}
