/** `sockftp serve [ROOT]`: builds the configuration from flags and runs the server until a signal. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Level } from 'pino';
import { defaultAnonymousPolicy, parseAnonymousPolicy } from '../auth/anonymousPolicy.js';
import { LoginAuthenticator } from '../auth/LoginAuthenticator.js';
import { FtpServer } from '../server/FtpServer.js';
import { DEFAULTS, type ServerConfig } from '../server/ServerConfig.js';
import { CliError } from './CliError.js';
import { LOG_LEVELS, createLogger, type LogFormat } from './logger.js';
import { parseInteger, parsePortRange } from './parse.js';

export interface ServeOptions {
  host: string;
  port: string;
  pasvPorts?: string;
  pasvAddress?: string;
  anonymous?: string;
  maxClients?: string;
  maxPerIp?: string;
  idleTimeout?: string;
  logLevel: string;
  logFormat: string;
}

export function buildServerConfig(root: string | undefined, o: ServeOptions): ServerConfig {
  const rootPath = path.resolve(root ?? '.');
  if (!fs.statSync(rootPath, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`ROOT ${rootPath} is not a directory`);
  const anonymous = o.anonymous === undefined ? defaultAnonymousPolicy(o.host) : parseAnonymousPolicy(o.anonymous);
  if (anonymous === null) throw new CliError(`--anonymous must be off, read or write, not "${o.anonymous}"`);
  return {
    root: rootPath,
    host: o.host,
    port: parseInteger(o.port, '--port', 0, 65535),
    pasvPorts: o.pasvPorts === undefined ? null : parsePortRange(o.pasvPorts, '--pasv-ports'),
    pasvAddress: o.pasvAddress ?? null,
    anonymous,
    maxClients: o.maxClients === undefined ? DEFAULTS.maxClients : parseInteger(o.maxClients, '--max-clients', 1, 1_000_000),
    maxPerIp: o.maxPerIp === undefined ? DEFAULTS.maxPerIp : parseInteger(o.maxPerIp, '--max-per-ip', 1, 1_000_000),
    idleTimeoutMs: o.idleTimeout === undefined ? DEFAULTS.idleTimeoutMs : parseInteger(o.idleTimeout, '--idle-timeout', 1, 86_400) * 1000,
    dataConnectTimeoutMs: DEFAULTS.dataConnectTimeoutMs,
    maxLineBytes: DEFAULTS.maxLineBytes,
  };
}

export async function serve(root: string | undefined, o: ServeOptions): Promise<void> {
  if (!LOG_LEVELS.includes(o.logLevel as Level)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (o.logFormat !== 'pretty' && o.logFormat !== 'json') throw new CliError('--log-format must be pretty or json');
  const config = buildServerConfig(root, o);
  const log = createLogger(o.logLevel as Level, o.logFormat as LogFormat);
  const server = new FtpServer(config, new LoginAuthenticator(config.root, config.anonymous), log);
  try {
    await server.listen();
  } catch (err) {
    throw new CliError(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  log.info({ url: server.url, root: config.root, anonymous: config.anonymous }, `serving ${config.root} at ${server.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    // A second signal means "now".
    if (stopping) process.exit(0);
    stopping = true;
    log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
