/** `sockftp connect [HOST[:PORT] | URL]`: the interactive shell, or a script read from stdin. */
import type { ConnectionOptions } from '../client/FtpClient.js';
import { Shell } from '../client/repl/Shell.js';
import { parseLang } from '../client/repl/messages.js';
import { parseFtpUrl, parseHostPort } from '../client/target.js';
import { CliError } from './CliError.js';
import { passwordFromEnvOrPrompt } from './password.js';

export interface ConnectOptions {
  user?: string;
  active?: boolean;
  tls?: boolean;
  insecure?: boolean;
  lang: string;
}

export async function connect(target: string | undefined, o: ConnectOptions): Promise<void> {
  const lang = parseLang(o.lang);
  if (!lang) throw new CliError('--lang must be en or id');
  // ftp://user@host:port and ftps:// (implicit TLS) name the server too; a path in them is not used here.
  const url = target?.includes('://') ? parseFtpUrl(target) : null;
  const address = url?.address ?? parseHostPort(target);
  if (!address || (target?.includes('://') && !url)) throw new CliError(`"${target}" is not HOST, HOST:PORT or an ftp:// or ftps:// URL`);
  const user = o.user ?? url?.user ?? undefined;
  const password = url?.password ?? undefined;
  const credentials =
    user === undefined
      ? { user: 'anonymous', password: 'sockftp@' }
      : { user, password: password ?? (await passwordFromEnvOrPrompt(`Password for ${user}: `)) };
  const connection: ConnectionOptions = {
    active: o.active === true,
    tls: url?.implicitTls ? 'implicit' : o.tls ? 'explicit' : null,
    insecure: o.insecure === true,
  };
  const shell = new Shell({ address, credentials, connection, lang, input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY) });
  process.exitCode = await shell.run();
}
