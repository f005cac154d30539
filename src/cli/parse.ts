/** Checks of command-line values, each failing with a one-line FlagError that names the flag. */
import { isIP } from 'node:net';
import type { PortRange } from '../net/PassiveListener.js';
import { FlagError } from './FlagError.js';

export function parseInteger(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new FlagError(flag, `must be a whole number, not "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new FlagError(flag, `must be between ${min} and ${max}`);
  return n;
}

export function parsePortRange(text: string, flag: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!m) throw new FlagError(flag, 'must look like LOW-HIGH, for example 30000-30100');
  const low = parseInteger(m[1], flag, 1024, 65535);
  const high = parseInteger(m[2], flag, 1024, 65535);
  if (low > high) throw new FlagError(flag, `must have LOW at most HIGH, not ${low}-${high}`);
  return { low, high };
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "24h", "7d"; a bare number is in `bareUnit`. Returns milliseconds, within [minMs, maxMs]. */
export function parseDuration(text: string, flag: string, bareUnit: 's' | 'm' | 'h' | 'd', minMs: number, maxMs: number): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) throw new FlagError(flag, `must be a duration such as 90s, 30m, 24h or 7d, not "${text}"`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2] || bareUnit];
  if (ms < minMs || ms > maxMs) throw new FlagError(flag, `must be between ${minMs / 1000} s and ${maxMs / 86_400_000} days`);
  return ms;
}

/** HOST:PORT, [::1]:PORT for IPv6 (--admin-address, --http-address). */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || (m[1] !== undefined && isIP(m[1]) !== 6))
    throw new FlagError(flag, `must be HOST:PORT, for example 127.0.0.1:9100 or [::1]:9100, not "${text}"`);
  return { host, port: parseInteger(m[3], `${flag} port`, 0, 65535) };
}
