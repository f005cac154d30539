/**
 * The one-shot commands, `sockftp ls|get|put|rm|size|mkdir URL`: one
 * operation on an ftp:// or ftps:// URL, the shell's result lines on stdout,
 * and on failure one line on stderr and the exit code of exitCodes.ts.
 * "ftp://host/a/b" names a/b in the login directory, as curl reads it.
 */
import * as path from 'node:path';
import { toClientError } from '../client/ClientError.js';
import { destinationFor } from '../client/destination.js';
import { downloadFile, uploadFile, type FileTransferOptions } from '../client/fileTransfers.js';
import { FtpClient } from '../client/FtpClient.js';
import { entryLines } from '../client/repl/entryLines.js';
import { problemText } from '../client/problems.js';
import { MESSAGES, parseLang, type Lang, type Messages } from '../client/repl/messages.js';
import { ProgressBar, underBar } from '../client/repl/ProgressBar.js';
import { parseFtpUrl, type FtpUrl } from '../client/target.js';
import type { RetryNotice } from '../client/retries.js';
import { verifyCopy } from '../client/verify.js';
import { CliError } from './CliError.js';
import { EXIT_CODES, exitCodeFor } from './exitCodes.js';
import { parseRetries } from './retriesFlag.js';
import { terminalPrompt } from './password.js';

export interface OneShotOptions {
  active?: boolean;
  tls?: boolean;
  insecure?: boolean;
  lang: string;
}

export interface TransferFlags extends OneShotOptions {
  force?: boolean;
  continue?: boolean;
  verify?: boolean;
  retries: string;
}

interface Run {
  readonly client: FtpClient;
  readonly url: FtpUrl;
  readonly msg: Messages;
  readonly lang: Lang;
  readonly print: (line: string) => void;
}

export function ls(url: string, o: OneShotOptions): Promise<void> {
  return oneShot(url, o, false, async ({ client, url, msg, print }) => {
    for (const line of entryLines(await client.list(url.path), msg)) print(line);
  });
}

export function size(url: string, o: OneShotOptions): Promise<void> {
  return oneShot(url, o, true, async ({ client, url, msg, print }) => print(msg.size(await client.size(url.path))));
}

export function rm(url: string, o: OneShotOptions): Promise<void> {
  return oneShot(url, o, true, async ({ client, url, msg, print }) => {
    await client.remove(url.path);
    print(msg.deleted(url.path));
  });
}

export function mkdir(url: string, o: OneShotOptions): Promise<void> {
  return oneShot(url, o, true, async ({ client, url, msg, print }) => {
    await client.mkdir(url.path);
    print(msg.madeDir(url.path));
  });
}

/** get URL [LOCAL]: the shell's download (no-clobber unless -f, -c resumes, --verify). */
export async function get(url: string, local: string | undefined, o: TransferFlags): Promise<void> {
  const retries = parseRetries(o.retries, EXIT_CODES.usage);
  return oneShot(url, o, true, async ({ client, url, msg, lang, print }) => {
    const wanted = local ?? path.posix.basename(url.path);
    const progress = bar(msg);
    const { name, bytes } = await underBar(progress, (watcher) =>
      downloadFile(client, url.path, wanted, { ...fileOptions(o, retries, msg, lang, progress), watcher }),
    );
    print(msg.downloaded(name, bytes, wanted));
    if (o.verify) print(msg.verified(name, await verifyCopy(client, url.path, name)));
  });
}

/** put LOCAL URL: the shell's upload; a URL ending in "/" names a directory, and the file keeps its name there. */
export async function put(local: string, url: string, o: TransferFlags): Promise<void> {
  const retries = parseRetries(o.retries, EXIT_CODES.usage);
  return oneShot(url, o, false, async ({ client, url, msg, lang, print }) => {
    const wanted = url.path === '' || url.path.endsWith('/') ? url.path + path.basename(local) : url.path;
    const progress = bar(msg);
    const { name, bytes } = await underBar(progress, (watcher) =>
      uploadFile(client, local, wanted, { ...fileOptions(o, retries, msg, lang, progress), watcher }),
    );
    print(msg.uploaded(path.posix.basename(name), bytes, path.posix.basename(wanted)));
    if (o.verify) print(msg.verified(path.posix.basename(name), await verifyCopy(client, name, local)));
  });
}

/** -f, -c and --retries; a retry is said on the progress line, or on stderr without one (stdout keeps the result lines). */
function fileOptions(o: TransferFlags, retries: number, msg: Messages, lang: Lang, progress: ProgressBar | null): FileTransferOptions {
  const onRetry = ({ attempt, of, reason }: RetryNotice) => {
    const line = msg.retrying(attempt, of, reason.text(lang));
    if (progress?.active) progress.say(line);
    else process.stderr.write(`sockftp: ${line}\n`);
  };
  return { force: o.force === true, resume: o.continue === true, retry: { retries, onRetry } };
}

/** A progress bar when stdout is a terminal. */
function bar(msg: Messages): ProgressBar | null {
  return process.stdout.isTTY ? new ProgressBar(process.stdout, msg.eta()) : null;
}

/**
 * Parses the URL, logs in, runs `op` and says goodbye; every failure becomes
 * one line and its exit code. `needsPath`: the URL must name a file or directory.
 */
async function oneShot(text: string, o: OneShotOptions, needsPath: boolean, op: (run: Run) => Promise<void>): Promise<void> {
  const lang = parseLang(o.lang);
  if (!lang) throw new CliError('--lang must be en or id', EXIT_CODES.usage);
  const url = parseFtpUrl(text);
  const usage = (problem: 'notAUrl' | 'urlNamesNoFile') => new CliError(problemText(problem, lang, [text]), EXIT_CODES.usage);
  if (!url) throw usage('notAUrl');
  if (needsPath && url.path === '') throw usage('urlNamesNoFile');
  const msg = MESSAGES[lang];
  let client: FtpClient | null = null;
  try {
    const flags = { user: null, active: o.active === true, tls: o.tls === true, insecure: o.insecure === true };
    const destination = await destinationFor(url, flags, terminalPrompt(msg.passwordFor));
    client = await FtpClient.connect(destination.address, destination.credentials, destination.options);
    await op({ client, url, msg, lang, print: (line) => process.stdout.write(line + '\n') });
  } catch (err) {
    throw failure(err, lang);
  } finally {
    await client?.quit();
  }
}

function failure(err: unknown, lang: Lang): CliError {
  if (err instanceof CliError) return err;
  const cause = toClientError(err);
  return new CliError(cause.text(lang), exitCodeFor(cause.kind));
}
