/**
 * The client's one error: what went wrong as one line, in English or
 * Indonesian, and what kind of failure it was (the one-shot commands turn
 * the kind into their exit code). Every failure below the shell becomes one.
 */
import { FTPError } from 'basic-ftp';
import { problemText, type Lang, type ProblemKey } from './problems.js';

/** What failed, for exit codes and for the shell's choice of words. */
export type FailureKind = 'usage' | 'connect' | 'login' | 'remote' | 'local' | 'verify' | 'interrupted' | 'other';

/** One of our problems, or text as it came: a file name, a server's reply, a system message. */
export type Part = { readonly problem: ProblemKey; readonly args?: readonly string[] } | string;

export class ClientError extends Error {
  constructor(
    /** Joined with ": " into the line, as in "a.bin: no such local file". */
    readonly parts: readonly Part[],
    readonly kind: FailureKind = 'other',
    /** The FTP reply code, when the server refused. */
    readonly replyCode: number | null = null,
  ) {
    super(describe(parts, 'en'));
    this.name = 'ClientError';
  }

  text(lang: Lang): string {
    return describe(this.parts, lang);
  }

  /** The same failure with `parts` in front, as in "cannot connect to host:21: connection refused". */
  within(parts: readonly Part[], kind: FailureKind = this.kind): ClientError {
    return new ClientError([...parts, ...this.parts], kind, this.replyCode);
  }
}

function describe(parts: readonly Part[], lang: Lang): string {
  return parts.map((p) => (typeof p === 'string' ? p : problemText(p.problem, lang, p.args))).join(': ');
}

/** The files an operation was about, so that an error line can name the one concerned. */
export interface Subjects {
  readonly remote?: string;
  readonly local?: string;
}

const NETWORK: Readonly<Record<string, ProblemKey>> = {
  ECONNREFUSED: 'connectionRefused',
  ECONNRESET: 'connectionReset',
  EPIPE: 'connectionReset',
  ETIMEDOUT: 'timedOut',
  ENOTFOUND: 'hostNotFound',
  EAI_AGAIN: 'hostNotFound',
  EHOSTUNREACH: 'hostUnreachable',
  ENETUNREACH: 'hostUnreachable',
};

const LOCAL: Readonly<Record<string, ProblemKey>> = {
  ENOENT: 'noLocalFile',
  EACCES: 'localPermission',
  EPERM: 'localPermission',
  EROFS: 'localPermission',
  EISDIR: 'localIsDir',
  ENOTDIR: 'localNotDir',
  ENOSPC: 'localNoSpace',
  EDQUOT: 'localNoSpace',
};

/** basic-ftp's words for a control connection that ended, which carry no code ("Client is closed because Server sent FIN..."). */
const BASIC_FTP_CLOSED: readonly (readonly [RegExp, ProblemKey])[] = [
  [/Server sent FIN packet unexpectedly|Server closed connection unexpectedly|Socket closed due to transmission error/, 'connectionLost'],
  [/Timeout \(control socket\)/, 'timedOut'],
];

/** One line that says what went wrong: the server's reply, or the network's or disk's reason in plain words. */
export function toClientError(err: unknown, subjects: Subjects = {}): ClientError {
  if (err instanceof ClientError) return err;
  if (err instanceof FTPError) return fromReply(err, subjects.remote);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code !== undefined && NETWORK[code]) return new ClientError([{ problem: NETWORK[code] }]);
  if (code !== undefined && LOCAL[code]) return new ClientError([...(subjects.local ? [subjects.local] : []), { problem: LOCAL[code] }], 'local');
  const message = (err as Error)?.message ?? String(err);
  const closed = BASIC_FTP_CLOSED.find(([pattern]) => pattern.test(message));
  if (closed) return new ClientError([{ problem: closed[1] }]);
  return new ClientError([message.split('\n')[0]]);
}

/**
 * The reply as the server worded it. When those words do not name the file
 * ("550 No such file or directory."), the file is added after them, so the
 * line always says which file was refused.
 */
function fromReply(err: FTPError, remote: string | undefined): ClientError {
  let text = err.message.replace(/\s+/g, ' ').trim();
  const name = remote === undefined ? '' : (remote.split('/').filter(Boolean).pop() ?? '');
  if (name !== '' && !text.includes(name)) text += ` (${remote})`;
  const kind = err.code === 530 || err.code === 532 ? 'login' : err.code === 421 ? 'connect' : 'remote';
  return new ClientError([text], kind, err.code);
}
