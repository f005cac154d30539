/**
 * One control connection: its login state, working directory and transfer
 * parameters, the queue that runs its commands one at a time, and the reply
 * writer. Commands themselves live in commands/, one small handler each.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from 'pino';
import type { App } from '../app/App.js';
import type { SessionRef } from '../app/events.js';
import type { Account } from '../auth/Account.js';
import type { Capabilities } from '../core/capabilities.js';
import { DEFAULT_HASH, type HashAlgorithm } from '../core/digests.js';
import { FileOperations } from '../core/FileOperations.js';
import type { Storage } from '../core/Storage.js';
import { FileError, badSequence } from '../core/errors.js';
import { isWellFormedVerb, parseCommand } from './protocol/commandLine.js';
import { unmapIPv4 } from '../net/hosts.js';
import { LineReader } from './protocol/LineReader.js';
import { ProxySignatureScreen } from '../net/proxyHeader.js';
import { MLST_FACTS, type MlstFact } from './protocol/listing.js';
import { Reply, formatReply } from './protocol/replies.js';
import type { CommandTable } from './commandTable.js';
import type { DataChannel, PassiveListener } from '../net/PassiveListener.js';
import { replyForError } from './errorReply.js';
import type { ServerEvents } from '../app/events.js';
import { UNTRUSTED_PROXY_HEADER, directOrigin, type ClientOrigin } from '../net/proxyAccept.js';
import type { ServerConfig } from './ServerConfig.js';
import { storageFailure, watchStorageErrors } from '../app/storageErrors.js';
import { acceptTls, sessionSecureContext } from './tls.js';
import type { TransferCounter } from './transferBuffers.js';
import { waitingChannel } from './waitingChannel.js';

/** What the server shares with every session. */
export interface SessionContext {
  readonly config: ServerConfig;
  /** The core: accounts and the login flow, storage, limits (app/App.ts). */
  readonly app: App;
  readonly commands: CommandTable;
  readonly log: Logger;
  /** Where the session's moments go: logs, the xferlog and metrics subscribe (app/events.ts). */
  readonly events: ServerEvents;
  /** Transfers running on the whole server, which decides their buffer sizes. */
  readonly transfers: TransferCounter;
  /** What the served root's storage can do, for FEAT before login. */
  readonly rootCapabilities: Capabilities;
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

export class Session implements SessionRef {
  readonly door = 'ftp';
  readonly id = nextSessionId++;
  readonly startedAt = Date.now();
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  log: Logger;

  /** Set by USER, consumed by PASS. */
  pendingUser: string | null = null;
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
  /** PROT P (RFC 4217 9): data connections are TLS too. */
  protectData = false;
  /** PBSZ came after AUTH, as RFC 4217 8 wants before PROT. */
  pbszDone = false;
  /** The code of the last reply sent, for the command event. */
  lastReplyCode = 0;
  /** The final reply of the transfer the running transfer command made (ABOR's own reply may come after it). */
  transferReplyCode: number | null = null;

  /** The logged-in account's file operations (and its working directory); null before login. */
  private fileOps: FileOperations | null = null;
  private dataChannel: DataChannel | null = null;
  private passive: Promise<PassiveListener> | null = null;
  private readonly reader: LineReader;
  private readonly queue: Array<string | null> = [];
  private processing = false;
  private closed = false;
  /** Between AUTH TLS and the end of the handshake, nothing the client sends may run. */
  private holdInput = false;
  /** A direct client's first bytes, held until they show it sends no PROXY header of its own (--proxy-protocol-from). */
  private screen: ProxySignatureScreen | null;
  /** This session's TLS context once the control connection is TLS (see tls.ts for why per session). */
  private secureContext: tls.SecureContext | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private loginTimer: NodeJS.Timeout | null = null;

  constructor(
    private socket: net.Socket,
    readonly context: SessionContext,
    /** Who the client is: the socket's peer, or the one a load balancer's PROXY header named (proxyAccept.ts). */
    origin: ClientOrigin = directOrigin(socket),
  ) {
    this.remoteAddress = origin.address;
    this.remotePort = origin.port;
    this.localAddress = unmapIPv4(socket.localAddress ?? '');
    this.reader = new LineReader(context.config.maxLineBytes);
    this.screen = origin.refuseProxyHeader ? new ProxySignatureScreen() : null;
    this.log = context.log.child({ session: this.id, client: `${this.remoteAddress}:${this.remotePort}`, ...(origin.via ? { proxy: origin.via } : {}) });
  }

  get config(): ServerConfig {
    return this.context.config;
  }

  /** The logged-in account's file operations; handlers that need them run only after login. */
  get files(): FileOperations {
    if (!this.fileOps) throw new FileError('NOT_LOGGED_IN', 'Please login with USER and PASS');
    return this.fileOps;
  }

  get user(): string | null {
    return this.fileOps?.account.name ?? null;
  }

  get account(): Account | null {
    return this.fileOps?.account ?? null;
  }

  /** What the session's storage can do; before login, what the served root's can (FEAT may come first). */
  get capabilities(): Capabilities {
    return this.fileOps?.capabilities ?? this.context.rootCapabilities;
  }

  /** The working directory; "/" before login. */
  get cwd(): string {
    return this.fileOps?.cwd ?? '/';
  }

  /** Whether the control connection is TLS (after AUTH TLS, or implicit FTPS). */
  get secure(): boolean {
    return this.secureContext !== null;
  }

  /**
   * Greets and serves the connection; resolves once it has closed. With
   * `implicitTls` the connection is TLS from its first byte (implicit FTPS).
   */
  async start(implicitTls = false): Promise<void> {
    const raw = this.socket;
    raw.setNoDelay(true);
    // Closed means cleaned up too: a transfer cut by the close has finished aborting (its temporary is gone).
    const closed = new Promise<void>((resolve) =>
      raw.once('close', () => {
        const transfer = this.activeTransfer;
        this.onClose();
        void (transfer?.done ?? Promise.resolve()).then(resolve);
      }),
    );
    raw.on('error', (err) => this.log.debug({ err: err.message }, 'control connection error'));
    this.loginTimer = setTimeout(() => this.closeWith(Reply.ServiceUnavailable, 'Login timeout: closing control connection'), this.config.loginTimeoutMs);
    this.touch();
    if (implicitTls) {
      try {
        await this.startTls();
      } catch (err) {
        this.log.info({ err: (err as Error).message }, 'implicit TLS handshake failed');
        raw.destroy();
        return closed;
      }
    } else this.listen();
    this.reply(Reply.ServiceReady, 'sockftp ready');
    return closed;
  }

  /**
   * AUTH TLS: the 234 reply goes out in plaintext, then the handshake; nothing
   * received in between is kept (pure-ftpd CVE-2011-1575 ran such commands).
   */
  async upgradeToTls(): Promise<void> {
    const raw = this.socket;
    await new Promise<void>((resolve) => raw.write(formatReply(Reply.SecurityExchangeOk, 'AUTH TLS successful'), () => resolve()));
    this.queue.length = 0;
    this.reader.clear();
    raw.removeAllListeners('data');
    try {
      await this.startTls();
    } catch (err) {
      this.log.info({ err: (err as Error).message }, 'TLS handshake failed');
      raw.destroy();
    }
  }

  /** Wraps a data connection in TLS with this session's context and checks it resumed the control session. */
  async secureDataSocket(socket: net.Socket): Promise<net.Socket> {
    const context = this.secureContext;
    if (!context) throw new FileError('BAD_SEQUENCE', 'PROT P needs a TLS control connection');
    const secure = await acceptTls(socket, context, this.config.dataConnectTimeoutMs);
    if (this.config.tls?.sessionReuse && !secure.isSessionReused()) {
      secure.destroy();
      this.log.warn('data connection did not resume the control TLS session; refused');
      throw new FileError('DATA_CONNECTION', "TLS session of the data connection must resume the control connection's session");
    }
    return secure;
  }

  reply(code: number, text: string | readonly string[]): void {
    // Kept even when it cannot be sent: it is how the command or transfer ended.
    this.lastReplyCode = code;
    if (this.closed || !this.socket.writable) return;
    this.socket.write(formatReply(code, text));
  }

  /** Several replies in one write: a download that was over before its 150 went out sends its 150 and 226 together. */
  replyAll(replies: ReadonlyArray<readonly [code: number, text: string]>): void {
    this.lastReplyCode = replies[replies.length - 1][0];
    if (this.closed || !this.socket.writable) return;
    this.socket.write(replies.map(([code, text]) => formatReply(code, text)).join(''));
  }

  /** Waits, without blocking other sessions; used to slow down password guessing. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  replyError(err: unknown): void {
    const { code, text, unexpected } = replyForError(err);
    if (unexpected) this.log.error({ err }, 'unexpected error');
    const failure = storageFailure(err);
    if (failure && this.fileOps) this.context.events.emit('storageError', { session: this, backend: this.fileOps.storage.kind, code: failure.code });
    this.reply(code, text);
  }

  /**
   * Shutdown, politely: an idle session gets 421 now; a session in a transfer
   * gets its transfer's final reply first, then 421.
   */
  requestShutdown(): void {
    const transfer = this.activeTransfer;
    if (!transfer) this.closeWith(Reply.ServiceUnavailable, 'Server shutting down');
    else void transfer.done.then(() => this.closeWith(Reply.ServiceUnavailable, 'Server shutting down'));
  }

  /** Shutdown, at once: the transfer is aborted (an upload is not committed), then the connection is dropped. */
  async forceClose(): Promise<void> {
    const transfer = this.activeTransfer;
    if (transfer) {
      transfer.abort();
      await transfer.done;
    }
    this.socket.destroy();
  }

  /** Sends a last reply and closes the connection once it is written. */
  closeWith(code: number, text: string): void {
    this.reply(code, text);
    this.closed = true;
    this.queue.length = 0;
    this.socket.end();
  }

  login(account: Account, storage: Storage): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
    this.fileOps = new FileOperations(account, watchStorageErrors(storage), (change) => this.context.events.emit('fileAction', { session: this, ...change }));
    this.pendingUser = null;
    this.log = this.log.child({ user: account.name });
  }

  logout(): void {
    this.fileOps = null;
  }

  /** The session's passive port, made by `open` the first time; a port that failed is made again next time. */
  passiveListener(open: () => Promise<PassiveListener>): Promise<PassiveListener> {
    if (!this.passive) {
      this.passive = open();
      this.passive.catch(() => (this.passive = null));
    }
    return this.passive;
  }

  /** Replaces the prepared data channel; an unused earlier one is closed. */
  setDataChannel(channel: DataChannel): void {
    this.dataChannel?.close();
    this.dataChannel = waitingChannel(channel, (waiting) => this.context.events.emit('dataWaiting', { session: this, waiting }));
  }

  /** Hands the prepared data channel to a transfer; a channel serves one transfer only. */
  takeDataChannel(): DataChannel | null {
    const channel = this.dataChannel;
    this.dataChannel = null;
    return channel;
  }

  private async startTls(): Promise<void> {
    const context = sessionSecureContext(this.config.tls!);
    const secure = await acceptTls(this.socket, context, this.config.loginTimeoutMs);
    secure.on('error', (err: Error) => this.log.debug({ err: err.message }, 'control connection TLS error'));
    this.secureContext = context;
    this.socket = secure;
    this.holdInput = false;
    this.listen();
  }

  private listen(): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  private onData(data: Buffer): void {
    if (this.holdInput) return;
    const screened = this.screen?.push(data) ?? ({ kind: 'pass', bytes: data } as const);
    if (screened.kind === 'hold') return;
    if (screened.kind === 'proxy') {
      this.log.warn(UNTRUSTED_PROXY_HEADER);
      this.closed = true;
      this.socket.destroy();
      return;
    }
    this.screen = null;
    const chunk = screened.bytes;
    for (const event of this.reader.push(chunk)) {
      if (event.kind === 'overlong') this.enqueue(null);
      else if (event.line.trim() !== '') this.enqueue(event.line);
      // Lines after AUTH in the same read are dropped with whatever else comes before TLS.
      if (this.holdInput) {
        this.reader.clear();
        return;
      }
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
    // Only AUTH on a plaintext connection starts a handshake; on a TLS one it is just refused (503).
    if (line !== null && !this.secure && parseCommand(line).verb === 'AUTH') this.holdInput = true;
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
      if (spec.needs && !this.capabilities[spec.needs]) {
        this.reply(Reply.NotImplemented, `${verb} not supported by this storage`);
        return;
      }
      if (spec.arg === 'required' && arg.trim() === '') {
        this.reply(Reply.SyntaxErrorInArguments, `${verb} needs an argument`);
        return;
      }
      // RFC 959 5.3.1 gives these verbs no argument; one is a client's mistake, not something to ignore.
      if (spec.arg === 'none' && arg.trim() !== '') {
        this.reply(Reply.SyntaxErrorInArguments, `${verb} takes no argument`);
        return;
      }
      if (spec.opensData) {
        this.context.transfers.active++;
        this.transferReplyCode = null;
      }
      try {
        await spec.handler(this, arg);
      } finally {
        if (spec.opensData) this.context.transfers.active--;
      }
    } catch (err) {
      this.replyError(err);
    } finally {
      // RFC 959 4.1.3: RNFR applies to the very next command only; so does RANG here.
      if (verb !== 'RNFR') this.renameFrom = null;
      if (verb !== 'RANG') this.hashRange = null;
      // RFC 3659 5 wants REST right before the transfer, but ftplib, curl and lftp put
      // PASV/EPSV (or TYPE) in between, so like vsftpd the offset waits for the next transfer.
      if (spec?.opensData) this.restOffset = 0;
      if (verb === 'AUTH') this.holdInput = false;
      this.touch();
      const code = (spec?.opensData ? this.transferReplyCode : null) ?? this.lastReplyCode;
      this.context.events.emit('command', { session: this, verb, code, known: spec !== undefined });
    }
  }

  /**
   * Restarts the idle timer. Only finished commands count, not bytes: a client
   * trickling one byte a second (slowloris) is still idle.
   */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.onIdle(), this.config.idleTimeoutMs);
  }

  private onIdle(): void {
    if (this.activeTransfer) {
      this.touch();
      return;
    }
    this.log.info('idle timeout');
    this.closeWith(Reply.ServiceUnavailable, 'Timeout: closing control connection');
  }

  private onClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.closed = true;
    this.queue.length = 0;
    this.activeTransfer?.abort();
    this.dataChannel?.close();
    this.dataChannel = null;
    void this.passive?.then(
      (listener) => listener.close(),
      () => undefined,
    );
  }

  /** Throws 503 unless RNFR came just before. */
  takeRenameSource(): string {
    const from = this.renameFrom;
    if (from === null) throw badSequence('RNFR required first');
    return from;
  }
}
