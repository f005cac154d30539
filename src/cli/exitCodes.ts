/**
 * The exit codes of the one-shot commands (sockftp ls|get|put|rm|size|mkdir),
 * in curl's spirit: 0 for success, and one code per kind of failure, so a
 * script can tell "the server is down" from "no such file". README has the table.
 */
import type { FailureKind } from '../client/ClientError.js';

export const EXIT_CODES = {
  ok: 0,
  /** Anything else: a transfer cut short, a connection lost midway. */
  failed: 1,
  usage: 2,
  connect: 3,
  login: 4,
  remote: 5,
  local: 6,
  verify: 7,
} as const;

export function exitCodeFor(kind: FailureKind): number {
  // An interruption and the rest have no code of their own.
  return (EXIT_CODES as Readonly<Record<string, number>>)[kind] ?? EXIT_CODES.failed;
}
