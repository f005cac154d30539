/**
 * The core's defaults, for every door: the limits, the timeouts and the
 * login guard that the CLI's flags start from. A file of its own so the CLI
 * reads them without loading the core.
 */
export const APP_DEFAULTS = {
  maxClients: 2000,
  maxPerIp: 50,
  idleTimeoutMs: 300_000,
  loginTimeoutMs: 60_000,
  loginGuard: { maxFailures: 10, windowMs: 600_000, banMs: 900_000, baseDelayMs: 250, maxDelayMs: 4_000 },
} as const;
