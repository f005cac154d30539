/** `sockftp connect [HOST[:PORT]]`: the interactive shell, or a script read from stdin. */
import { Shell } from '../client/repl/Shell.js';
import { parseLang } from '../client/repl/messages.js';
import { parseHostPort } from '../client/target.js';
import { CliError } from './CliError.js';
import { passwordFromEnvOrPrompt } from './password.js';

export interface ConnectOptions {
  user?: string;
  active?: boolean;
  lang: string;
}

export async function connect(target: string | undefined, o: ConnectOptions): Promise<void> {
  const address = parseHostPort(target);
  if (!address) throw new CliError(`"${target}" is not HOST or HOST:PORT`);
  const lang = parseLang(o.lang);
  if (!lang) throw new CliError('--lang must be en or id');
  const credentials =
    o.user === undefined
      ? { user: 'anonymous', password: 'sockftp@' }
      : { user: o.user, password: await passwordFromEnvOrPrompt(`Password for ${o.user}: `) };
  const shell = new Shell({
    address,
    credentials,
    active: o.active === true,
    lang,
    input: process.stdin,
    output: process.stdout,
    interactive: Boolean(process.stdin.isTTY),
  });
  process.exitCode = await shell.run();
}
