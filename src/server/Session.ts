/**
 * One control connection: its login state, working directory and transfer
 * parameters, the queue that runs its commands one at a time, and the reply
 * writer. Commands themselves live in commands/, one small handler each.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { Account, Authenticator } from '../auth/Account.js';
import type { Permission } from '../auth/permissions.js';
import { FtpError, badSequence, permissionDenied } from '../errors.js';
import { isWellFormedVerb, parseCommand } from '../protocol/commandLine.js';
import { unmapIPv4 } from '../protocol/dataAddress.js';
import { DEFAULT_HASH, type HashAlgorithm } from '../protocol/hashes.js';
import { LineReader } from '../protocol/LineReader.js';
import { MLST_FACTS, type MlstFact } from '../protocol/listing.js';
import { Reply, formatReply } from '../protocol/replies.js';
import { resolveVirtualPath } from '../protocol/virtualPath.js';
import type { Storage } from '../storage/Storage.js';
import type { CommandTable } from './commandTable.js';
import type { DataChannel } from './DataChannel.js';
import { replyForError } from './errorReply.js';
import type { ServerConfig } from './ServerConfig.js';

/** What the server shares with every session. */
export interface SessionContext {
  readonly config: ServerConfig;
  readonly authenticator: Authenticator;
  readonly commands: CommandTable;
  log: Logger;
  /** Opens the storage an account sees as "/". */
  openStorage(account: Account): Promise<Storage>;
}

/** The transfer running on this session, so ABOR and STAT can reach it while its command is busy. */
export interface ActiveTransfer {
  readonly path: string;
  readonly direction: 'upload' | 'download' | 'listing';
  bytes(): number;
  abort(): void;
  /** Settles once the transfer's final reply has been sent. */
  readonly done: Promise<void>;
}

/** Queued commands beyond this pause reading, so a flood cannot grow memory without bound. */
const MAX_QUEUED_COMMANDS = 64;

let nextSessionId = 1;

export class Session {
  readonly id = nextSessionId++;
  readonly startedAt = Date.now();
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  log: Logger;

  account: Account | null = null;
  /** Set by USER, consumed by PASS. */
  pendingUser: string | null = null;
  cwd = '/';
  /** RFC 959 3.1.1: ASCII is the default representation type. */
  transferType: 'A' | 'I' = 'A';
  /** REST offset for the next transfer command, which consumes it. */
  restOffset = 0;
  /** RNFR's path for the next RNTO; any other command resets it. */
  renameFrom: string | null = null;
  mlstFacts: Set<MlstFact> = new Set(MLST_FACTS);
  /** The algorithm HASH uses, chosen with OPTS HASH. */
  hashAlgorithm: HashAlgorithm = DEFAULT_HASH;
  /** Bytes the next HASH covers (RANG, inclusive); any other command resets it. */
  hashRange: { start: number; end: number } | null = null;
  /** After "EPSV ALL" only EPSV may set up data connections (RFC 2428 4). */
  epsvAll = false;
  activeTransfer: ActiveTransfer | null = null;

  private storageHandle: Storage | null = null;
  private dataChannel: DataChannel | null = null;
  private readonly reader: LineReader;
  private readonly queue: Array<string | null> = [];
  private processing = false;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    readonly context: SessionContext,
  ) {
    this.remoteAddress = unmapIPv4(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unmapIPv4(socket.localAddress ?? '');
    this.reader = new LineReader(context.config.maxLineBytes);
    this.log = context.log.child({ session: this.id, client: `${this.remoteAddress}:${this.remotePort}` });
  }

  get config(): ServerConfig {
    return this.context.config;
  }

  /** The logged-in account's storage; handlers that need it run only after login. */
  get storage(): Storage {
    if (!this.storageHandle) throw new FtpError('FTP_ERR_NOT_LOGGED_IN', 'Please login with USER and PASS');
    return this.storageHandle;
  }

  /** Resolves once the connection has closed. */
  start(): Promise<void> {
    this.socket.setNoDelay(true);
    this.socket.setTimeout(this.config.idleTimeoutMs);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('timeout', () => this.onIdle());
    this.socket.on('error', (err) => this.log.debug({ err: err.message }, 'control connection error'));
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => {
      this.onClose();
      resolve();
    }));
    this.reply(Reply.ServiceReady, 'sockftp ready');
    return closed;
  }

  reply(code: number, text: string | readonly string[]): void {
    if (this.closed || !this.socket.writable) return;
    this.socket.write(formatReply(code, text));
  }

  replyError(err: unknown): void {
    const { code, text, unexpected } = replyForError(err);
    if (unexpected) this.log.error({ err }, 'unexpected error');
    this.reply(code, text);
  }

  /** Sends a last reply and closes the connection once it is written. */
  closeWith(code: number, text: string): void {
    this.reply(code, text);
    this.closed = true;
    this.queue.length = 0;
    this.socket.end();
  }

  /** Resolves a client path against the working directory; see protocol/virtualPath.ts. */
  resolvePath(arg: string): string {
    return resolveVirtualPath(this.cwd, arg);
  }

  requirePermission(permission: Permission, path: string): void {
    if (!this.account?.permissions.has(permission)) throw permissionDenied(path);
  }

  login(account: Account, storage: Storage): void {
    this.account = account;
    this.storageHandle = storage;
    this.pendingUser = null;
    this.cwd = '/';
    this.log = this.log.child({ user: account.name });
  }

  logout(): void {
    this.account = null;
    this.storageHandle = null;
    this.cwd = '/';
  }

  /** Replaces the prepared data channel; an unused earlier one is closed. */
  setDataChannel(channel: DataChannel): void {
    this.dataChannel?.close();
    this.dataChannel = channel;
  }

  /** Hands the prepared data channel to a transfer; a channel serves one transfer only. */
  takeDataChannel(): DataChannel | null {
    const channel = this.dataChannel;
    this.dataChannel = null;
    return channel;
  }

  private onData(chunk: Buffer): void {
    for (const event of this.reader.push(chunk)) {
      if (event.kind === 'overlong') this.enqueue(null);
      else if (event.line.trim() !== '') this.enqueue(event.line);
    }
    if (this.reader.takePendingAbort()) this.enqueue('ABOR');
  }

  private enqueue(line: string | null): void {
    if (this.closed) return;
    // ABOR and STAT must reach a running transfer instead of waiting behind it (RFC 959 4.1.3).
    if (line !== null && this.activeTransfer) {
      const spec = this.context.commands.get(parseCommand(line).verb);
      if (spec?.duringTransfer) {
        void this.execute(line);
        return;
      }
    }
    this.queue.push(line);
    if (this.queue.length >= MAX_QUEUED_COMMANDS) this.socket.pause();
    if (!this.processing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.processing = true;
    while (this.queue.length > 0 && !this.closed) {
      const line = this.queue.shift()!;
      if (this.queue.length < MAX_QUEUED_COMMANDS / 2) this.socket.resume();
      if (line === null) this.reply(Reply.SyntaxError, 'Command line too long');
      else await this.execute(line);
    }
    this.processing = false;
  }

  private async execute(line: string): Promise<void> {
    const { verb, arg } = parseCommand(line);
    this.log.debug({ command: verb === 'PASS' ? 'PASS ****' : line }, 'command');
    const spec = this.context.commands.get(verb);
    try {
      if (!spec) {
        if (!isWellFormedVerb(verb)) this.reply(Reply.SyntaxError, 'Syntax error, command unrecognized');
        else this.reply(Reply.NotImplemented, `${verb} not implemented`);
        return;
      }
      if (spec.needsLogin && !this.account) {
        this.reply(Reply.NotLoggedIn, 'Please login with USER and PASS');
        return;
      }
      if (spec.arg === 'required' && arg.trim() === '') {
        this.reply(Reply.SyntaxErrorInArguments, `${verb} needs an argument`);
        return;
      }
      await spec.handler(this, arg);
    } catch (err) {
      this.replyError(err);
    } finally {
      // RFC 959 4.1.3: RNFR applies to the very next command only; so does RANG here.
      if (verb !== 'RNFR') this.renameFrom = null;
      if (verb !== 'RANG') this.hashRange = null;
      // RFC 3659 5 wants REST right before the transfer, but ftplib, curl and lftp put
      // PASV/EPSV (or TYPE) in between, so like vsftpd the offset waits for the next transfer.
      if (spec?.opensData) this.restOffset = 0;
      this.socket.setTimeout(this.config.idleTimeoutMs);
    }
  }

  private onIdle(): void {
    if (this.activeTransfer) return;
    this.log.info('idle timeout');
    this.closeWith(Reply.ServiceUnavailable, 'Timeout: closing control connection');
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.activeTransfer?.abort();
    this.dataChannel?.close();
    this.dataChannel = null;
  }

  /** Throws 503 unless RNFR came just before. */
  takeRenameSource(): string {
    const from = this.renameFrom;
    if (from === null) throw badSequence('RNFR required first');
    return from;
  }
}
