/** `sockftp connect [HOST[:PORT] | URL]`: the interactive shell, or a script read from stdin. */
import { ClientError } from '../client/ClientError.js';
import { destinationFor, parseTargetOrFail, type ConnectionFlags } from '../client/destination.js';
import type { Destination } from '../client/FtpClient.js';
import { historyFile } from '../client/repl/history.js';
import { Shell } from '../client/repl/Shell.js';
import { MESSAGES, parseLang } from '../client/repl/messages.js';
import { CliError } from './CliError.js';
import { parseRetries } from './retriesFlag.js';
import { terminalPrompt } from './password.js';

export interface ConnectOptions {
  user?: string;
  active?: boolean;
  tls?: boolean;
  insecure?: boolean;
  verify?: boolean;
  retries: string;
  lang: string;
}

export async function connect(target: string | undefined, o: ConnectOptions): Promise<void> {
  const lang = parseLang(o.lang);
  if (!lang) throw new CliError('--lang must be en or id');
  const retries = parseRetries(o.retries);
  const flags: ConnectionFlags = { user: o.user ?? null, active: o.active === true, tls: o.tls === true, insecure: o.insecure === true };
  let destination: Destination;
  try {
    destination = await destinationFor(parseTargetOrFail(target), flags, terminalPrompt(MESSAGES[lang].passwordFor));
  } catch (err) {
    if (err instanceof ClientError) throw new CliError(err.text(lang));
    throw err;
  }
  const interactive = Boolean(process.stdin.isTTY);
  const shell = new Shell({
    destination,
    // `open` names its own user, if any: --user was for the first server. The shell cannot prompt.
    resolve: (text) => destinationFor(parseTargetOrFail(text), { ...flags, user: null }, null),
    lang,
    input: process.stdin,
    output: process.stdout,
    interactive,
    progress: Boolean(process.stdout.isTTY),
    verify: o.verify === true,
    retries,
    historyFile: interactive ? historyFile() : null,
  });
  process.exitCode = await shell.run();
}
