/** `sockftp serve [ROOT]`: builds the configuration from flags and runs the server until a signal. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { defaultAnonymousPolicy, parseAnonymousPolicy } from '../auth/anonymousPolicy.js';
import { LoginAuthenticator } from '../auth/LoginAuthenticator.js';
import { UsersFileError } from '../auth/UsersFile.js';
import { FtpServer } from '../ftp/FtpServer.js';
import { DEFAULTS, type ServerConfig, type TlsConfig } from '../ftp/ServerConfig.js';
import { checkTlsConfig } from '../ftp/tls.js';
import { TransferLog } from '../ftp/TransferLog.js';
import type { StorageProvider } from '../core/StorageProvider.js';
import { createStorageProvider } from '../storage/providers.js';
import { isS3Location, parseS3Location } from '../storage/s3/location.js';
import { S3_DEFAULTS, s3Settings, type S3Settings } from '../storage/s3/settings.js';
import type { Level, Logger } from 'pino';
import { isFileError } from '../core/errors.js';
import { loadAdmin, parseAdminAddress } from './admin.js';
import { CliError } from './CliError.js';
import { withConfigFile, type ConfigFile } from './ConfigFile.js';
import { FlagError } from './FlagError.js';
import { CidrList } from '../net/cidr.js';
import { LOG_LEVELS, createLogger, type LogFormat } from './logger.js';
import { parseDuration, parseInteger, parsePortRange } from './parse.js';
import { buildHttpConfig, httpHosts, startHttp, type HttpOptions } from './http.js';
import { reloader } from './reload.js';

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
  s3Endpoint?: string;
  s3Region?: string;
  s3PathStyle?: boolean;
  s3PartSize: string;
  s3UploadConcurrency: string;
  s3UploadExpiry: string;
  s3MaxRenameKeys: string;
  logLevel: string;
  logFormat: string;
}

export function buildServerConfig(root: string | undefined, o: ServeOptions): ServerConfig {
  const rootPath = servedRoot(root ?? '.');
  const anonymous = o.anonymous === undefined ? defaultAnonymousPolicy(o.host, ...httpHosts(o)) : parseAnonymousPolicy(o.anonymous);
  if (anonymous === null) throw new FlagError('--anonymous', `must be off, read or write, not "${o.anonymous}"`);
  const seconds = (text: string, flag: string) => parseInteger(text, flag, 1, 86_400) * 1000;
  return {
    root: rootPath,
    host: o.host,
    port: parseInteger(o.port, '--port', 0, 65535),
    pasvPorts: o.pasvPorts === undefined ? null : parsePortRange(o.pasvPorts, '--pasv-ports'),
    pasvAddress: o.pasvAddress ?? null,
    proxyProtocolFrom: o.proxyProtocolFrom === undefined ? null : trustedProxies(o.proxyProtocolFrom),
    anonymous,
    usersFile: o.users === undefined ? null : path.resolve(o.users),
    tls: buildTlsConfig(o),
    maxClients: parseInteger(o.maxClients, '--max-clients', 1, 1_000_000),
    maxPerIp: parseInteger(o.maxPerIp, '--max-per-ip', 1, 1_000_000),
    idleTimeoutMs: seconds(o.idleTimeout, '--idle-timeout'),
    loginTimeoutMs: seconds(o.loginTimeout, '--login-timeout'),
    dataConnectTimeoutMs: DEFAULTS.dataConnectTimeoutMs,
    maxLineBytes: DEFAULTS.maxLineBytes,
    loginGuard: {
      ...DEFAULTS.loginGuard,
      maxFailures: parseInteger(o.maxLoginFailures, '--max-login-failures', 1, 1_000_000),
      banMs: seconds(o.loginBan, '--login-ban'),
    },
  };
}

/** How s3:// roots and homes are reached; credentials are not among these (the SDK's chain finds them). */
export function buildS3Settings(o: ServeOptions): S3Settings {
  if (o.s3Endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(o.s3Endpoint))
    throw new FlagError('--s3-endpoint', `must be an http:// or https:// URL, not "${o.s3Endpoint}"`);
  return s3Settings({
    endpoint: o.s3Endpoint ?? null,
    region: o.s3Region ?? process.env.AWS_REGION ?? S3_DEFAULTS.region,
    forcePathStyle: Boolean(o.s3PathStyle),
    partBytes: parseInteger(o.s3PartSize, '--s3-part-size', 5, 5 * 1024) * 1024 * 1024,
    queueSize: parseInteger(o.s3UploadConcurrency, '--s3-upload-concurrency', 1, 64),
    uploadSweepAgeMs: parseDuration(o.s3UploadExpiry, '--s3-upload-expiry', 'h', 1_000, 365 * 86_400_000),
    maxRenameKeys: parseInteger(o.s3MaxRenameKeys, '--s3-max-rename-keys', 1, 10_000_000),
  });
}

/** --proxy-protocol-from: the CIDR blocks whose connections must start with a PROXY header. */
function trustedProxies(text: string): CidrList {
  try {
    return CidrList.parse(text);
  } catch (err) {
    throw new FlagError('--proxy-protocol-from', `must be CIDR[,CIDR...]: ${(err as Error).message}`);
  }
}

/** ROOT: a bucket location as it is, or a directory that must exist, made absolute. */
function servedRoot(root: string): string {
  if (isS3Location(root)) {
    try {
      parseS3Location(root);
    } catch (err) {
      throw new FlagError('ROOT', `${root}: ${(err as Error).message}`);
    }
    return root;
  }
  const dir = path.resolve(root);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new FlagError('ROOT', `${dir} is not a directory`);
  return dir;
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
  const config = buildServerConfig(root, o);
  return {
    config,
    s3: buildS3Settings(o),
    logLevel: o.logLevel as Level,
    logFormat,
    graceMs: parseInteger(o.shutdownGrace, '--shutdown-grace', 0, 86_400) * 1000,
    adminAddress,
    http: buildHttpConfig(o, config.tls),
    // Without the admin listener nobody watches /readyz, so there is nothing to drain for.
    drainMs: adminAddress ? parseInteger(o.drainDelay, '--drain-delay', 0, 3_600) * 1000 : 0,
  };
}

/** The `serve` command: flags over the --config file's values over the defaults. */
export const serveCommand = withConfigFile(serve);

export async function serve(root: string | undefined, o: ServeOptions, configFile: ConfigFile<ServeOptions> | null = null): Promise<void> {
  const { config, s3, logLevel, logFormat, graceMs, adminAddress, drainMs, http: httpConfig } = buildSettings(root, o);
  const log = createLogger(logLevel, logFormat);
  let authenticator: LoginAuthenticator;
  try {
    authenticator = await LoginAuthenticator.create(config.root, config.anonymous, config.usersFile);
  } catch (err) {
    throw new CliError(err instanceof UsersFileError ? err.message : `--users: ${(err as Error).message}`);
  }
  const transferLog = o.xferlog === undefined ? null : new TransferLog(path.resolve(o.xferlog));
  await transferLog?.ready().catch((err: Error) => {
    throw new FlagError('--xferlog', `${o.xferlog}: ${err.message}`);
  });
  const storage = createStorageProvider({
    s3,
    onSweep: (report) =>
      'error' in report
        ? log.warn({ home: report.home, err: (report.error as Error).message }, 'could not sweep leftovers')
        : log.info(report, 'leftovers of an earlier run removed'),
  });
  const startAdmin = adminAddress ? await loadAdmin() : null;
  const server = new FtpServer(config, authenticator, storage, log, transferLog);
  try {
    await server.listen();
  } catch (err) {
    await storage.close();
    const what = isFileError(err) ? `ROOT ${config.root}` : `cannot listen on ${config.host}`;
    throw new CliError(`${what}: ${(err as Error).message}`);
  }
  const admin = adminAddress && startAdmin ? await startAdmin(adminAddress, server) : null;
  const http = httpConfig ? await startHttp(httpConfig, server, authenticator, storage, log) : null;
  // The start line and stats are printed whatever the log level: scripts read the port from the one,
  // and an operator asked for the other.
  const announce = log.isLevelEnabled('info') ? log : createLogger('info', logFormat);
  process.on('SIGUSR2', () => announce.info(server.stats(), 'stats'));
  process.on('SIGHUP', reloader({ server, log, transferLog, configFile, accountCount: () => authenticator.accountCount, check: buildSettings }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal means "now": what is cut is swept up at the next start.
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    // The admin listener stays up, /readyz answering 503, until the process exits.
    // The web door closes with the FTP listener, its requests under way given the same grace.
    void Promise.all([server.shutdown(graceMs, drainMs, signal), http ? delay(drainMs).then(() => http.shutdown(graceMs)) : null])
      .then(() => Promise.all([transferLog?.close(), storage.close()]))
      .then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Last, once every signal has its handler: whoever reads this line may signal us at once.
  const where = server.implicitUrl ? `${server.url} and ${server.implicitUrl}` : server.url;
  announce.info(
    {
      url: server.url,
      implicitUrl: server.implicitUrl ?? undefined,
      adminUrl: admin?.url,
      webUrl: http?.url,
      root: config.root,
      anonymous: config.anonymous,
      accounts: authenticator.accountCount,
    },
    `serving ${config.root} at ${where}${http ? `; web at ${http.url}` : ''}${admin ? `; admin at ${admin.url}` : ''}`,
  );
  void sweepLeftovers(storage, config, authenticator, log);
}

/** What a crash left (upload temporaries, multipart uploads) is cleaned from the root and every account's home, after the server is up. */
async function sweepLeftovers(storage: StorageProvider, config: ServerConfig, authenticator: LoginAuthenticator, log: Logger): Promise<void> {
  try {
    for (const report of await storage.sweep([config.root, ...authenticator.homes()])) log.info(report, 'leftovers of an earlier run removed');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not sweep leftovers of an earlier run');
  }
}
