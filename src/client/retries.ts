/**
 * Reconnect and resume, as lftp does: a transfer cut by a lost connection
 * (a reset, an end of file, a timeout) or by a reply that says the
 * connection or the server is going (421, 425, 426) is tried again on a new
 * connection to the same target, after a growing pause. What to resume from
 * is the caller's business (fileTransfers.ts); this file decides what is
 * worth a retry, how long to wait and when to give up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientError, toClientError } from './ClientError.js';
import type { FtpClient } from './FtpClient.js';
import type { ProblemKey } from './problems.js';

export interface RetryNotice {
  /** This retry's number, from 1. */
  readonly attempt: number;
  readonly of: number;
  /** The failure it follows. */
  readonly reason: ClientError;
}

export interface RetryPolicy {
  /** Retries allowed per file; 0 turns retrying off. */
  readonly retries: number;
  /** Told before each pause, so that a progress line can say it is retrying. */
  readonly onRetry?: (notice: RetryNotice) => void;
}

export const NO_RETRIES: RetryPolicy = { retries: 0 };

/** Replies about the connection or the server's state, not about the file: RFC 959's "service closing", "can't open data connection", "connection closed". */
const RETRIED_REPLIES: ReadonlySet<number> = new Set([421, 425, 426]);

/** Our words for failures of the network or of a data connection. */
const LOST: ReadonlySet<ProblemKey> = new Set<ProblemKey>([
  'connectionLost',
  'connectionReset',
  'connectionRefused',
  'timedOut',
  'dataTimedOut',
  'noDataConnection',
  'dataClosedInHandshake',
  'hostUnreachable',
]);

const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 8_000;

/**
 * Whether `failure` is about the connection rather than the file: a reply
 * that is not in RETRIED_REPLIES (550, 553, 530...) never is, nor a local
 * error or Ctrl-C; a connection that is closed now always is.
 */
export function isConnectionLoss(failure: ClientError, closed: boolean): boolean {
  if (failure.kind === 'interrupted' || failure.kind === 'local' || failure.kind === 'verify') return false;
  if (failure.replyCode !== null) return RETRIED_REPLIES.has(failure.replyCode);
  return closed || failure.parts.some((p) => typeof p !== 'string' && LOST.has(p.problem));
}

/** 0.5 s, 1 s, 2 s... up to 8 s, each within 20% either way, so that clients cut at once do not all come back at once. */
export function pauseMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Runs `attempt`, and after a connection loss reconnects `client` and runs
 * it again (`retrying` true), at most `policy.retries` times. A failure that
 * is not a connection loss, or the last one, is thrown; after retries it
 * says how many there were.
 */
export async function withRetries<T>(
  client: FtpClient,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (retrying: boolean) => Promise<T>,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      if (retry > 0) await client.reconnect(signal);
      return await attempt(retry > 0);
    } catch (err) {
      const failure = toClientError(err);
      if (!isConnectionLoss(failure, client.closed)) throw failure;
      if (retry >= policy.retries) throw retry === 0 ? failure : failure.within([{ problem: 'gaveUp', args: [String(retry)] }]);
      policy.onRetry?.({ attempt: retry + 1, of: policy.retries, reason: failure });
      await sleep(pauseMs(retry + 1), undefined, { signal }).catch(() => {
        throw new ClientError([{ problem: 'interrupted' }], 'interrupted');
      });
    }
  }
}
