/** `sockftp serve [ROOT]`: builds the configuration from flags and runs the server until a signal. */
import * as path from 'node:path';
import type { Level } from 'pino';
import { App, type AppConfig, type DoorHandle } from '../app/App.js';
import { APP_DEFAULTS } from '../app/defaults.js';
import { TransferLog } from '../app/TransferLog.js';
import { defaultAnonymousPolicy, parseAnonymousPolicy } from '../auth/anonymousPolicy.js';
import { UsersFileError } from '../auth/UsersFile.js';
import { isFileError } from '../core/errors.js';
import { FtpServer } from '../ftp/FtpServer.js';
import { DEFAULTS, type FtpConfig, type TlsConfig } from '../ftp/ServerConfig.js';
import { checkTlsConfig } from '../ftp/tls.js';
import { CidrList } from '../net/cidr.js';
import { checkLocation, createStorageProvider, readBackendSettings, type FlagReader } from '../storage/backends.js';
import { loadAdmin, parseAdminAddress } from './admin.js';
import { CliError } from './CliError.js';
import { withConfigFile, type ConfigFile } from './ConfigFile.js';
import { FlagError } from './FlagError.js';
import { buildHttpConfig, httpHosts, startHttp, type HttpOptions } from './http.js';
import { LOG_LEVELS, createLogger, type LogFormat } from './logger.js';
import { parseDuration, parseInteger, parsePortRange } from './parse.js';
import { reloader } from './reload.js';
import * as fs from 'node:fs';

export interface ServeOptions extends HttpOptions {
  config?: string;
  host: string;
  port: string;
  pasvPorts?: string;
  pasvAddress?: string;
  proxyProtocolFrom?: string;
  anonymous?: string;
  users?: string;
  tlsCert?: string;
  tlsKey?: string;
  implicitTlsPort?: string;
  tlsRequired?: boolean;
  tlsSessionReuse: boolean;
  maxClients: string;
  maxPerIp: string;
  idleTimeout: string;
  loginTimeout: string;
  maxLoginFailures: string;
  loginBan: string;
  shutdownGrace: string;
  xferlog?: string;
  adminAddress?: string;
  adminPublic?: boolean;
  drainDelay: string;
  logLevel: string;
  logFormat: string;
  /** Each storage backend's own flags (--s3-endpoint as s3Endpoint...), read through readBackendSettings. */
  [backendFlag: string]: unknown;
}

/** The core's settings (root, accounts, limits) from the flags. */
export function buildAppConfig(root: string | undefined, o: ServeOptions): AppConfig {
  const anonymous = o.anonymous === undefined ? defaultAnonymousPolicy(o.host, ...httpHosts(o)) : parseAnonymousPolicy(o.anonymous);
  if (anonymous === null) throw new FlagError('--anonymous', `must be off, read or write, not "${o.anonymous}"`);
  const seconds = (text: string, flag: string) => parseInteger(text, flag, 1, 86_400) * 1000;
  return {
    root: servedRoot(root ?? '.'),
    anonymous,
    usersFile: o.users === undefined ? null : path.resolve(o.users),
    maxClients: parseInteger(o.maxClients, '--max-clients', 1, 1_000_000),
    maxPerIp: parseInteger(o.maxPerIp, '--max-per-ip', 1, 1_000_000),
    idleTimeoutMs: seconds(o.idleTimeout, '--idle-timeout'),
    loginTimeoutMs: seconds(o.loginTimeout, '--login-timeout'),
    loginGuard: {
      ...APP_DEFAULTS.loginGuard,
      maxFailures: parseInteger(o.maxLoginFailures, '--max-login-failures', 1, 1_000_000),
      banMs: seconds(o.loginBan, '--login-ban'),
    },
  };
}

/** The FTP door's settings from the flags. */
export function buildFtpConfig(o: ServeOptions): FtpConfig {
  return {
    host: o.host,
    port: parseInteger(o.port, '--port', 0, 65535),
    pasvPorts: o.pasvPorts === undefined ? null : parsePortRange(o.pasvPorts, '--pasv-ports'),
    pasvAddress: o.pasvAddress ?? null,
    proxyProtocolFrom: o.proxyProtocolFrom === undefined ? null : trustedProxies(o.proxyProtocolFrom),
    tls: buildTlsConfig(o),
    dataConnectTimeoutMs: DEFAULTS.dataConnectTimeoutMs,
    maxLineBytes: DEFAULTS.maxLineBytes,
  };
}

/** A storage backend's flags, read with the same checks (and the same one-line errors) as every other flag. */
function flagReader(o: ServeOptions): FlagReader {
  const key = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const text = (flag: string) => {
    // Commander gives a flag's value as a string, and a --config file's as the TOML key's (a number too).
    const value = o[key(flag)] as string | number | undefined;
    return value === undefined ? undefined : String(value);
  };
  return {
    text,
    switch: (flag) => Boolean(o[key(flag)]),
    integer: (flag, min, max) => parseInteger(text(flag) ?? '', flag, min, max),
    duration: (flag, bareUnit, minMs, maxMs) => parseDuration(text(flag) ?? '', flag, bareUnit, minMs, maxMs),
    refuse: (flag, why) => {
      throw new FlagError(flag, why);
    },
  };
}

/** --proxy-protocol-from: the CIDR blocks whose connections must start with a PROXY header. */
function trustedProxies(text: string): CidrList {
  try {
    return CidrList.parse(text);
  } catch (err) {
    throw new FlagError('--proxy-protocol-from', `must be CIDR[,CIDR...]: ${(err as Error).message}`);
  }
}

/** ROOT: a backend's location (s3://...) checked and kept as it is, or a directory that must exist, made absolute. */
function servedRoot(root: string): string {
  try {
    return checkLocation(root);
  } catch (err) {
    throw new FlagError('ROOT', (err as Error).message);
  }
}

function buildTlsConfig(o: ServeOptions): TlsConfig | null {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together');
  if (o.tlsCert === undefined || o.tlsKey === undefined) {
    if (o.implicitTlsPort !== undefined || o.tlsRequired) throw new CliError('--implicit-tls-port and --tls-required need --tls-cert and --tls-key');
    return null;
  }
  const read = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new FlagError(flag, `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  };
  const config: TlsConfig = {
    cert: read(o.tlsCert, '--tls-cert'),
    key: read(o.tlsKey, '--tls-key'),
    required: Boolean(o.tlsRequired),
    sessionReuse: o.tlsSessionReuse,
    implicitPort: o.implicitTlsPort === undefined ? null : parseInteger(o.implicitTlsPort, '--implicit-tls-port', 0, 65535),
  };
  try {
    checkTlsConfig(config);
  } catch (err) {
    throw new CliError(`--tls-cert/--tls-key: ${(err as Error).message}`);
  }
  return config;
}

/**
 * Every checked value a run is made of: what serve() starts from, and what a
 * --config file read again on SIGHUP must pass before anything of it applies.
 */
export function buildSettings(root: string | undefined, o: ServeOptions) {
  if (!LOG_LEVELS.includes(o.logLevel as Level)) throw new FlagError('--log-level', `must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.logFormat !== 'pretty' && o.logFormat !== 'json') throw new FlagError('--log-format', 'must be pretty or json');
  const logFormat: LogFormat = o.logFormat;
  const adminAddress = o.adminAddress === undefined ? null : parseAdminAddress(o.adminAddress, Boolean(o.adminPublic));
  const config = buildAppConfig(root, o);
  const ftp = buildFtpConfig(o);
  return {
    config,
    ftp,
    backends: readBackendSettings(flagReader(o)),
    logLevel: o.logLevel as Level,
    logFormat,
    graceMs: parseInteger(o.shutdownGrace, '--shutdown-grace', 0, 86_400) * 1000,
    adminAddress,
    http: buildHttpConfig(o, ftp.tls),
    // Without the admin listener nobody watches /readyz, so there is nothing to drain for.
    drainMs: adminAddress ? parseInteger(o.drainDelay, '--drain-delay', 0, 3_600) * 1000 : 0,
  };
}

/** The `serve` command: flags over the --config file's values over the defaults. */
export const serveCommand = withConfigFile(serve);

type Settings = ReturnType<typeof buildSettings>;

/** A door started: what the core's shutdown drives, and the URLs it listens at. */
interface StartedDoor {
  readonly door: DoorHandle;
  readonly urls: readonly string[];
}

/**
 * The doors, a row each: whether the settings turn it on, and how it starts
 * on the core. Each is a folder of its own (src/ftp/, src/http/) that takes
 * the core and imports no other door.
 */
const DOORS: ReadonlyArray<{ readonly name: string; readonly on: (s: Settings) => boolean; readonly start: (app: App, s: Settings) => Promise<StartedDoor> }> =
  [
    { name: 'ftp', on: () => true, start: startFtp },
    {
      name: 'web',
      on: (s) => s.http !== null,
      start: async (app, s) => {
        const http = await startHttp(s.http!, app);
        return { door: http.door, urls: [http.url] };
      },
    },
  ];

async function startFtp(app: App, s: Settings): Promise<StartedDoor> {
  const server = new FtpServer(s.ftp, app);
  try {
    await server.listen();
  } catch (err) {
    const what = isFileError(err) ? `ROOT ${s.config.root}` : `cannot listen on ${s.ftp.host}`;
    throw new CliError(`${what}: ${(err as Error).message}`);
  }
  return { door: server.door, urls: server.implicitUrl ? [server.url, server.implicitUrl] : [server.url] };
}

export async function serve(root: string | undefined, o: ServeOptions, configFile: ConfigFile<ServeOptions> | null = null): Promise<void> {
  const settings = buildSettings(root, o);
  const { config, logLevel, logFormat, graceMs, adminAddress, drainMs } = settings;
  const log = createLogger(logLevel, logFormat);
  const transferLog = o.xferlog === undefined ? null : new TransferLog(path.resolve(o.xferlog));
  await transferLog?.ready().catch((err: Error) => {
    throw new FlagError('--xferlog', `${o.xferlog}: ${err.message}`);
  });
  const storage = createStorageProvider(settings.backends, (report) =>
    'error' in report
      ? log.warn({ home: report.home, err: (report.error as Error).message }, 'could not sweep leftovers')
      : log.info(report, 'leftovers of an earlier run removed'),
  );
  let app: App;
  try {
    app = await App.create(config, storage, log, transferLog);
  } catch (err) {
    throw new CliError(err instanceof UsersFileError ? err.message : `--users: ${(err as Error).message}`);
  }
  // Loaded before any door listens, so the metrics see every session from the first.
  const startAdmin = adminAddress ? await loadAdmin() : null;
  const urls: Record<string, readonly string[]> = {};
  try {
    for (const row of DOORS.filter((d) => d.on(settings))) {
      const started = await row.start(app, settings);
      app.addDoor(started.door);
      urls[row.name] = started.urls;
    }
  } catch (err) {
    await storage.close();
    throw err;
  }
  const [ftpUrl, implicitUrl] = urls.ftp;
  const webUrl = urls.web?.[0];
  const admin =
    adminAddress && startAdmin ? await startAdmin(adminAddress, app, { url: ftpUrl, proxyProtocolFrom: settings.ftp.proxyProtocolFrom ?? null }) : null;
  // The start line and stats are printed whatever the log level: scripts read the port from the one,
  // and an operator asked for the other.
  const announce = log.isLevelEnabled('info') ? log : createLogger('info', logFormat);
  process.on('SIGUSR2', () => announce.info(app.stats(), 'stats'));
  process.on('SIGHUP', reloader({ app, log, transferLog, configFile, check: buildSettings }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal means "now": what is cut is swept up at the next start.
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    // The admin listener stays up, /readyz answering 503, until the process exits. Every door drains
    // together, its transfers given the same grace.
    void app
      .shutdown(graceMs, drainMs, signal)
      .then(() => Promise.all([transferLog?.close(), storage.close()]))
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Last, once every signal has its handler: whoever reads this line may signal us at once.
  const where = implicitUrl ? `${ftpUrl} and ${implicitUrl}` : ftpUrl;
  announce.info(
    {
      url: ftpUrl,
      implicitUrl,
      adminUrl: admin?.url,
      webUrl,
      root: config.root,
      anonymous: config.anonymous,
      accounts: app.authenticator.accountCount,
    },
    `serving ${config.root} at ${where}${webUrl ? `; web at ${webUrl}` : ''}${admin ? `; admin at ${admin.url}` : ''}`,
  );
  void sweepLeftovers(app);
}

/** What a crash left (upload temporaries, multipart uploads) is cleaned from the root and every account's home, after the server is up. */
async function sweepLeftovers(app: App): Promise<void> {
  try {
    for (const report of await app.storage.sweep(app.homes())) app.log.info(report, 'leftovers of an earlier run removed');
  } catch (err) {
    app.log.warn({ err: (err as Error).message }, 'could not sweep leftovers of an earlier run');
  }
}
