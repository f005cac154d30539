/**
 * What a shell command gets to work with: the connection, the messages in
 * the session's language, a way to print, Ctrl-C as an AbortSignal, and the
 * shell's own operations (connme, open, close, byebye).
 */
import type { FtpClient } from '../FtpClient.js';
import type { RetryPolicy } from '../retries.js';
import type { Lang, Messages } from './messages.js';
import type { ProgressBar } from './ProgressBar.js';

export interface ShellContext {
  readonly msg: Messages;
  readonly lang: Lang;
  /** Aborted by Ctrl-C: the running command stops (a transfer with ABOR) and the prompt comes back. */
  readonly signal: AbortSignal;
  /** --verify was given to connect: every transfer is verified. */
  readonly verify: boolean;
  /** --retries: how transfers reconnect and resume after a lost connection. */
  readonly retry: RetryPolicy;
  print(line: string): void;
  /** Prints a failure line and counts it towards the exit code, and the command goes on. */
  fail(line: string): void;
  /** A progress bar for the next transfer, or null when stdout is not a terminal. */
  progress(): ProgressBar | null;
  /** The open connection; throws "not connected" after a failure or close. */
  client(): FtpClient;
  /** Opens a new connection to the current server. */
  connect(): Promise<void>;
  /** Opens a connection to another server: HOST[:PORT] or an ftp:// or ftps:// URL. */
  open(target: string): Promise<void>;
  disconnect(): Promise<void>;
  /** Ends the shell after this command. */
  stop(): void;
}

/** A failure whose line is already the whole message, such as "File Tidak Ditemukan". */
export class CommandFailed extends Error {}
