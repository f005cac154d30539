/**
 * Where the client connects: "HOST[:PORT]" for `sockftp connect`, and
 * ftp://[user[:password]@]host[:port]/path URLs for the one-shot commands. Pure.
 */
import { isIPv6 } from 'node:net';
import type { ServerAddress } from './FtpClient.js';

export const DEFAULT_HOST = 'localhost';
export const DEFAULT_PORT = 9999;

/** Parses "host", "host:port", "[::1]:port" or a bare IPv6 address; null when malformed. */
export function parseHostPort(text: string | undefined): ServerAddress | null {
  if (text === undefined || text === '') return { host: DEFAULT_HOST, port: DEFAULT_PORT };
  if (isIPv6(text)) return { host: text, port: DEFAULT_PORT };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return null;
  const host = m[1] ?? m[2];
  if (m[1] !== undefined && !isIPv6(host)) return null;
  const port = m[3] === undefined ? DEFAULT_PORT : Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

export interface FtpUrl {
  readonly address: ServerAddress;
  /** ftps:// is implicit FTPS: TLS from the first byte. */
  readonly implicitTls: boolean;
  readonly user: string | null;
  readonly password: string | null;
  /** The path as the URL spells it, percent-decoded; "" for the login directory. */
  readonly path: string;
}

/** Implicit FTPS listens on 990 by convention. */
export const DEFAULT_FTPS_PORT = 990;

/** Parses ftp:// URLs (RFC 1738 3.2) and ftps:// ones; the default ports are sockftp's 9999 and FTPS's 990. */
export function parseFtpUrl(text: string): FtpUrl | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'ftp:' && url.protocol !== 'ftps:') || url.hostname === '') return null;
  const implicitTls = url.protocol === 'ftps:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  return {
    address: { host, port: url.port !== '' ? Number(url.port) : implicitTls ? DEFAULT_FTPS_PORT : DEFAULT_PORT },
    implicitTls,
    user: url.username === '' ? null : decodeURIComponent(url.username),
    password: url.password === '' ? null : decodeURIComponent(url.password),
    // "ftp://host/a/b" names "a/b" relative to the login directory, as curl reads it.
    path: path.replace(/^\//, ''),
  };
}

/** What `connect` and the shell's `open` take: HOST[:PORT], or an ftp:// or ftps:// URL whose path is not used; null when malformed. */
export function parseTarget(text: string | undefined): FtpUrl | null {
  if (text?.includes('://')) return parseFtpUrl(text);
  const address = parseHostPort(text);
  return address && { address, implicitTls: false, user: null, password: null, path: '' };
}
