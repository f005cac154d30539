/** --retries N, for connect and the one-shot transfers: reconnects per file after a lost connection, 0 for none. */
import { CliError } from './CliError.js';
import { parseInteger } from './parse.js';

/** As lftp: a few tries, enough for a load balancer to find a live instance. */
export const DEFAULT_RETRIES = 3;

/** Beyond this a transfer that cannot get through should say so rather than go on trying. */
const MAX_RETRIES = 100;

/** `exitCode`: the one-shot commands exit 2 for a usage error. */
export function parseRetries(text: string, exitCode?: number): number {
  try {
    return parseInteger(text, '--retries', 0, MAX_RETRIES);
  } catch (err) {
    if (exitCode === undefined || !(err instanceof CliError)) throw err;
    throw new CliError(err.message, exitCode);
  }
}
