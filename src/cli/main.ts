#!/usr/bin/env node
/** The `sockftp` command: its subcommands (serve, connect, the one-shot commands, user) and their flags. */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './CliError.js';
import { APP_DEFAULTS } from '../app/defaults.js';
import { DEFAULTS } from '../ftp/ServerConfig.js';
import { backendFlags } from '../storage/backends.js';
import { EXIT_CODES } from './exitCodes.js';
import { DEFAULT_RETRIES } from './retriesFlag.js';
import { HTTP_DEFAULTS } from './http.js';

const RETRIES_HELP = 'after a lost connection or a 421, reconnect and resume a transfer up to N times (0: never)';

/**
 * Each command's code is loaded only when it runs, so `serve` never loads
 * the client and its dependencies, which kept an idle server's memory up.
 */
function lazy<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>): (...args: A) => Promise<void> {
  return async (...args) => (await load())(...args);
}

/** Exported for the tests that walk the commands' options (every `serve` flag has a --config key). */
export const program = new Command('sockftp')
  .description('An FTP server and client for the terminal')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const serveCommand = program
  .command('serve')
  .description('serve ROOT (default: the current directory) over FTP')
  .argument('[root]', 'directory to serve, or s3://BUCKET[/PREFIX]')
  .option('--config <file>', 'TOML file with a key for any of these flags (flags given here win); re-read on SIGHUP')
  .option('--host <addr>', 'address to listen on (0.0.0.0 or :: to expose)', DEFAULTS.host)
  .option('--port <n>', 'port to listen on; 0 picks a free port', String(DEFAULTS.port))
  .option('--pasv-ports <low-high>', 'passive data ports (default: any free port)')
  .option('--pasv-address <addr>', 'address advertised in PASV replies (NAT, containers)')
  .option('--proxy-protocol-from <cidrs>', 'load balancers (CIDR[,CIDR...]) whose connections start with a PROXY v1/v2 header naming the client')
  .addOption(new Option('--anonymous <policy>', 'anonymous access: off, read or write (default: write on loopback, read otherwise)'))
  .option('--users <file>', 'accounts file written by `sockftp user add`; re-read on SIGHUP');
// Each storage backend's own flags (--s3-endpoint...), from its row in storage/backends.ts.
for (const { flag, description, default: value } of backendFlags()) serveCommand.option(flag, description, value);
serveCommand
  .option('--tls-cert <file>', 'PEM certificate: enables AUTH TLS (explicit FTPS)')
  .option('--tls-key <file>', 'PEM private key of --tls-cert')
  .option('--implicit-tls-port <n>', 'also listen for implicit FTPS on this port')
  .option('--tls-required', 'refuse USER/PASS before AUTH TLS, and unprotected data from non-loopback clients')
  .option('--no-tls-session-reuse', 'let PROT P data connections start a new TLS session (for clients that cannot resume)')
  .option('--max-clients <n>', 'most sessions at once', String(APP_DEFAULTS.maxClients))
  .option('--max-per-ip <n>', 'most sessions from one address', String(APP_DEFAULTS.maxPerIp))
  .option('--idle-timeout <seconds>', 'close sessions that finish no command for this long', String(APP_DEFAULTS.idleTimeoutMs / 1000))
  .option('--login-timeout <seconds>', 'close sessions not logged in after this long', String(APP_DEFAULTS.loginTimeoutMs / 1000))
  .option('--max-login-failures <n>', 'failed logins from one address (within 10 minutes) before it is banned', String(APP_DEFAULTS.loginGuard.maxFailures))
  .option('--login-ban <seconds>', 'how long such an address is refused', String(APP_DEFAULTS.loginGuard.banMs / 1000))
  .option('--shutdown-grace <seconds>', 'on SIGTERM/SIGINT, how long running transfers may finish', '30')
  .option('--xferlog <file>', 'also log every transfer to this file in xferlog format')
  .option('--admin-address <host:port>', 'serve /metrics, /healthz and /readyz over HTTP here (loopback only without --admin-public)')
  .option('--admin-public', 'allow --admin-address on an address other than loopback')
  .option('--drain-delay <seconds>', 'with --admin-address: on SIGTERM, /readyz says 503 this long before the FTP listener closes', '2')
  .option('--http-address <host:port>', 'also serve the browser file manager here, over HTTPS with --tls-cert (off by default)')
  .option('--http-max-upload <size>', 'largest upload through the web, such as 500M or 10G', HTTP_DEFAULTS.maxUpload)
  .option('--http-session-timeout <duration>', 'end a web session unused this long (30m, 2h...)', HTTP_DEFAULTS.sessionTimeout)
  .option('--http-shares-file <file>', 'keep share links in this JSON file across restarts (default: in memory)')
  .option('--http-staging-dir <dir>', 'where unfinished web uploads wait (default: a folder under the system temporary directory)')
  .option('--http-upload-expiry <duration>', 'remove unfinished web uploads untouched this long', HTTP_DEFAULTS.uploadExpiry)
  .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
  .option('--log-format <format>', 'pretty or json', 'pretty')
  .action(lazy(async () => (await import('./serve.js')).serveCommand));

program
  .command('connect')
  .description('open the interactive client (commands from stdin when it is not a terminal)')
  .argument('[target]', 'HOST[:PORT] (default localhost:9999), or an ftp:// or ftps:// (implicit TLS) URL')
  .option('--user <name>', 'log in as this user (password from SOCKFTP_PASSWORD or a prompt); default anonymous')
  .option('--active', 'active mode: the server connects to us for data (EPRT, or PORT); default passive (EPSV, or PASV)')
  .option('--tls', 'explicit FTPS: AUTH TLS, then TLS on data connections too (PROT P)')
  .option('--insecure', 'accept a TLS certificate that does not verify (self-signed)')
  .option('--verify', "check every transfer's SHA-256 (the server's HASH, or a second download hashed here)")
  .option('--retries <n>', RETRIES_HELP, String(DEFAULT_RETRIES))
  .option('--lang <lang>', 'messages in English (en) or Indonesian (id)', 'en')
  .action(lazy(async () => (await import('./connect.js')).connect));

/** A one-shot command: its own line of help, the connection flags, and exit code 2 for its usage errors. */
function oneShotCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--active', 'active mode: the server connects to us for data (EPRT, or PORT)')
    .option('--tls', 'explicit FTPS: AUTH TLS (ftps:// URLs are implicit FTPS)')
    .option('--insecure', 'accept a TLS certificate that does not verify (self-signed)')
    .option('--lang <lang>', 'messages in English (en) or Indonesian (id)', 'en')
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(EXIT_CODES.usage, err.code, err.message);
    });
}

const URL_HELP = 'ftp://[user[:password]@]host[:port]/path or ftps://...; credentials also from ~/.netrc and SOCKFTP_PASSWORD';

oneShotCommand('ls', 'list a remote directory')
  .argument('<url>', URL_HELP)
  .action(lazy(async () => (await import('./oneShot.js')).ls));
oneShotCommand('size', 'print the size of a remote file')
  .argument('<url>', URL_HELP)
  .action(lazy(async () => (await import('./oneShot.js')).size));
oneShotCommand('rm', 'delete a remote file')
  .argument('<url>', URL_HELP)
  .action(lazy(async () => (await import('./oneShot.js')).rm));
oneShotCommand('mkdir', 'make a remote directory')
  .argument('<url>', URL_HELP)
  .action(lazy(async () => (await import('./oneShot.js')).mkdir));
for (const command of [
  oneShotCommand('get', 'download a file; an existing local file is kept (-f replaces it)')
    .argument('<url>', URL_HELP)
    .argument('[local]', 'where to save it')
    .action(lazy(async () => (await import('./oneShot.js')).get)),
  oneShotCommand('put', 'upload a file; an existing remote file is kept (-f replaces it)')
    .argument('<local>', 'the file to send')
    .argument('<url>', URL_HELP)
    .action(lazy(async () => (await import('./oneShot.js')).put)),
]) {
  command
    .option('-f, --force', 'replace an existing file')
    .option('-c, --continue', 'resume a cut transfer')
    .option('--verify', "check the SHA-256 afterwards (the server's HASH, or a second download hashed here)")
    .option('--retries <n>', RETRIES_HELP, String(DEFAULT_RETRIES));
}

program
  .command('user')
  .description('manage the accounts of a --users file')
  .command('add')
  .description('add or update an account; the password comes from SOCKFTP_PASSWORD or a prompt')
  .argument('<name>', 'user name')
  .requiredOption('--users <file>', 'the accounts file (created if missing)')
  .option('--home <dir>', "the account's root directory (default: the served root)")
  .option('--perms <level>', 'r (read only) or rw (everything)', 'rw')
  .action(lazy(async () => (await import('./user.js')).userAdd));

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof CliError) {
      process.stderr.write(`sockftp: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`sockftp: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  }
}

/** Whether this module is the program run (directly, or through the npm bin link), not one imported by a test. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
