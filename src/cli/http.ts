/** --http-address and its companions: the web front door's settings, and starting it on the core. */
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../app/App.js';
import type { HttpDoorConfig } from '../http/context.js';
import type { HttpServer } from '../http/HttpServer.js';
import type { TlsConfig } from '../ftp/ServerConfig.js';
import { CliError } from './CliError.js';
import { FlagError } from './FlagError.js';
import { parseDuration, parseHostPort } from './parse.js';

export const HTTP_DEFAULTS = {
  maxUpload: '10G',
  /** A page is read and left open between clicks, unlike an FTP command line: longer than --idle-timeout. */
  sessionTimeout: '30m',
  uploadExpiry: '24h',
} as const;

/** Sessions held at most; the least recently used goes first. */
const MAX_SESSIONS = 10_000;

export interface HttpOptions {
  httpAddress?: string;
  httpMaxUpload: string;
  httpSessionTimeout: string;
  httpSharesFile?: string;
  httpStagingDir?: string;
  httpUploadExpiry: string;
}

/** The door's configuration, or null without --http-address (it is off by default). HTTPS with the FTP server's own certificate. */
export function buildHttpConfig(o: HttpOptions, tls: TlsConfig | null): HttpDoorConfig | null {
  if (o.httpAddress === undefined) return null;
  const { host, port } = parseHostPort(o.httpAddress, '--http-address');
  return {
    host,
    port,
    tls: tls ? { cert: tls.cert, key: tls.key } : null,
    idleMs: parseDuration(o.httpSessionTimeout, '--http-session-timeout', 'm', 60_000, 30 * 86_400_000),
    maxSessions: MAX_SESSIONS,
    maxUploadBytes: parseSize(o.httpMaxUpload, '--http-max-upload'),
    stagingDir: path.resolve(o.httpStagingDir ?? path.join(os.tmpdir(), `sockftp-web-uploads-${os.userInfo().uid}`)),
    stagingExpiryMs: parseDuration(o.httpUploadExpiry, '--http-upload-expiry', 'h', 60_000, 365 * 86_400_000),
    sharesFile: o.httpSharesFile === undefined ? null : path.resolve(o.httpSharesFile),
  };
}

/** The web door's listening host, if it is on: the anonymous default looks at every door's. */
export function httpHosts(o: Pick<HttpOptions, 'httpAddress'>): string[] {
  return o.httpAddress === undefined ? [] : [parseHostPort(o.httpAddress, '--http-address').host];
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "500M", "10G", "1048576": bytes, binary units. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d{1,15})\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new FlagError(flag, `must be a size such as 500M or 10G, not "${text}"`);
  const bytes = Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()];
  if (bytes < 1 || !Number.isSafeInteger(bytes)) throw new FlagError(flag, `must be between 1 byte and 8 PiB`);
  return bytes;
}

/** The web door on the core (its accounts, login flow, limits, storage and events); listening once this resolves. */
export async function startHttp(config: HttpDoorConfig, app: App): Promise<HttpServer> {
  // Loaded only when asked for: a server without the web door never pays for it.
  const { HttpServer } = await import('../http/HttpServer.js');
  let http: HttpServer;
  try {
    http = await HttpServer.create(config, app);
  } catch (err) {
    throw new FlagError('--http-shares-file', `${config.sharesFile}: ${(err as Error).message}`);
  }
  try {
    await http.listen();
  } catch (err) {
    throw new CliError(`cannot listen on --http-address ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  return http;
}
