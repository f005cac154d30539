/**
 * Encoding and parsing of data-connection addresses: PASV/PORT (RFC 959
 * 4.1.2, "h1,h2,h3,h4,p1,p2") and EPSV/EPRT (RFC 2428, "|proto|addr|port|").
 * No I/O; the caller decides which addresses it accepts.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { unmapIPv4 } from '../../net/hosts.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The text inside a 227 reply, or null when the address is not IPv4. */
export function encodePasv(host: string, port: number): string | null {
  const ip = unmapIPv4(host);
  if (!isIPv4(ip)) return null;
  return `${ip.split('.').join(',')},${port >> 8},${port & 0xff}`;
}

export function encodeEpsv(port: number): string {
  return `|||${port}|`;
}

/** Parses a PORT argument; returns null when it is malformed. */
export function parsePort(arg: string): HostPort | null {
  const parts = arg.trim().split(',');
  if (parts.length !== 6) return null;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p.trim()) ? Number(p.trim()) : NaN));
  if (nums.some((n) => !(n >= 0 && n <= 255))) return null;
  const port = nums[4] * 256 + nums[5];
  if (port === 0) return null;
  return { host: nums.slice(0, 4).join('.'), port };
}

/** Parses an EPRT argument such as "|1|132.235.1.2|6275|" or "|2|::1|5282|". */
export function parseEprt(arg: string): HostPort | null {
  const trimmed = arg.trim();
  if (trimmed.length < 7) return null;
  const delim = trimmed[0];
  // RFC 2428 2: the delimiter is any printable ASCII character outside "0"-"9".
  if (delim < '!' || delim > '~' || (delim >= '0' && delim <= '9')) return null;
  const fields = trimmed.split(delim);
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return null;
  const [, proto, host, portText] = fields as [string, string, string, string, string];
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (proto === '1' && isIPv4(host)) return { host, port };
  if (proto === '2' && isIPv6(host)) return { host, port };
  return null;
}

/** Parses the port out of an EPSV argument: none, a protocol number (1 or 2), or ALL. */
export function parseEpsvArg(arg: string): 'any' | 'all' | 1 | 2 | null {
  const a = arg.trim().toUpperCase();
  if (a === '') return 'any';
  if (a === 'ALL') return 'all';
  if (a === '1') return 1;
  if (a === '2') return 2;
  return null;
}
