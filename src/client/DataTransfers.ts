/**
 * Every transfer and listing of the client, in passive or active mode, run
 * over basic-ftp's control connection: the command, its data connection,
 * and exactly the replies that belong to them. Owning those replies is what
 * lets a transfer be stopped and the connection kept: on an abort ABOR goes
 * out, the data connection is cut, and both the transfer command and ABOR
 * get their final reply before anything else is sent (RFC 959 4.1.3: 426
 * for the transfer, then 226; or the transfer's own reply, then 225 or 226).
 * basic-ftp's transfer functions end at the first final reply, so a reply
 * to ABOR would be taken by whatever command came next.
 */
import type { Socket } from 'node:net';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FTPError, type Client, type FileInfo, type FTPResponse } from 'basic-ftp';
import { ClientError } from './ClientError.js';
import type { DataConnection, DataConnector } from './dataConnections.js';

export interface TransferControl {
  /** Aborting stops the transfer (ABOR) and keeps the connection. */
  readonly signal?: AbortSignal;
  /** Called as data moves, with the bytes of this transfer so far. */
  readonly onProgress?: (bytes: number) => void;
  /** Called when the server has accepted the transfer (its 150), before any data: a refused one never calls it. */
  readonly onStart?: () => void;
}

/** Listings are parsed in memory; basic-ftp caps them at the same size. */
const MAX_LISTING_BYTES = 40 * 1024 * 1024;

interface TaskResolver {
  resolve(value: FTPResponse | undefined): void;
  reject(err: Error): void;
}

export class DataTransfers {
  constructor(
    private readonly client: Client,
    private readonly connector: DataConnector,
  ) {}

  /** STOR (or APPE to resume) from `source`. */
  async upload(source: Readable, remotePath: string, command: 'STOR' | 'APPE', control: TransferControl = {}): Promise<void> {
    const path = await this.client.protectWhitespace(remotePath);
    await this.transfer(`${command} ${path}`, (socket) => pipeline([source, ...counter(control), socket]), control);
  }

  /** RETR into `destination`, from `startAt` on (REST) when resuming. */
  async download(destination: Writable, remotePath: string, startAt: number, control: TransferControl = {}): Promise<void> {
    const path = await this.client.protectWhitespace(remotePath);
    await this.transfer(`RETR ${path}`, (socket) => pipeline([socket, ...counter(control), destination]), control, startAt);
  }

  /** Like basic-ftp's list(): MLSD, then LIST -a, then LIST, until one is understood; that one is kept. */
  async list(remotePath: string, signal?: AbortSignal): Promise<FileInfo[]> {
    const path = await this.client.protectWhitespace(remotePath);
    let lastError: unknown;
    for (const candidate of this.client.availableListCommands) {
      try {
        const text = await this.receiveText(path === '' ? candidate : `${candidate} ${path}`, signal);
        this.client.availableListCommands = [candidate];
        return this.client.parseList(text);
      } catch (err) {
        if (!(err instanceof FTPError)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private async receiveText(command: string, signal: AbortSignal | undefined): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > MAX_LISTING_BYTES) return done(new ClientError([{ problem: 'listingTooLarge', args: [String(MAX_LISTING_BYTES)] }]));
        chunks.push(chunk);
        done();
      },
    });
    await this.transfer(command, (socket) => pipeline(socket, collect), { signal });
    return Buffer.concat(chunks).toString(this.client.ftp.encoding);
  }

  private async transfer(command: string, move: (socket: Socket) => Promise<void>, control: TransferControl, restartAt = 0): Promise<void> {
    const signal = control.signal;
    throwIfInterrupted(signal);
    const connection = await this.connector.open();
    try {
      if (restartAt > 0) await this.client.ftp.request(`REST ${restartAt}`);
      throwIfInterrupted(signal);
      await this.run(command, connection, move, control);
    } finally {
      connection.close();
    }
  }

  /**
   * Sends the transfer command and moves the data once the connection is up.
   * As in basic-ftp, a transfer is finished only when both the data has
   * ended and the final reply has arrived, in whichever order. When the data
   * side fails, or `signal` aborts, the transfer is stopped with ABOR and the
   * connection stays usable.
   */
  private run(command: string, connection: DataConnection, move: (socket: Socket) => Promise<void>, { signal, onStart }: TransferControl): Promise<void> {
    const ftp = this.client.ftp;
    let finals = 0;
    let dataDone = false;
    let failure: Error | null = null;
    let aborted = false;
    let settled = false;
    let task: TaskResolver | null = null;

    const settle = () => {
      if (settled || task === null) return;
      // After ABOR two final replies are due: the transfer command's and ABOR's own.
      if (aborted ? finals < 2 : failure === null && (finals === 0 || !dataDone)) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (failure) task.reject(failure);
      else task.resolve(undefined);
    };
    const abort = (reason: Error) => {
      if (aborted || settled) return;
      aborted = true;
      failure = reason;
      if (!ftp.closed) ftp.send('ABOR');
      connection.reset();
      // The data socket kept the time while data flowed; the replies to ABOR come in bounded time too.
      ftp.socket.setTimeout(ftp.timeout);
      settle();
    };
    const onAbort = () => abort(interrupted());
    signal?.addEventListener('abort', onAbort, { once: true });

    const control = ftp.handle(command, (res, resolver) => {
      task = resolver;
      if (res instanceof Error && !(res instanceof FTPError)) {
        // The connection is gone: nothing more will come.
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        return resolver.reject(res);
      }
      if (res.code < 200) {
        onStart?.();
        return;
      }
      if (res.code < 300 || res.code >= 400) {
        finals++;
        // A refusal is the reason, and after a failed data side the server's own (451, 552...) says more;
        // but not when the user stopped the transfer, nor a 426 that only echoes our ABOR.
        const echo = aborted && (signal?.aborted === true || res.code === 426);
        if (res instanceof FTPError && !echo && !(failure instanceof FTPError)) failure = res;
      } else {
        // A 3xx asks for a command we do not have: the session is lost either way.
        ftp.closeWithError(new ClientError([{ problem: 'unexpectedReply', args: [res.message] }]));
      }
      settle();
    });

    void connection
      .ready()
      .then(async (socket) => {
        // While data flows the control connection is quiet by design: the data socket keeps the time instead.
        ftp.socket.setTimeout(0);
        socket.setTimeout(ftp.timeout, () => socket.destroy(new ClientError([{ problem: 'dataTimedOut' }])));
        await move(socket);
        dataDone = true;
        if (finals === 0) ftp.socket.setTimeout(ftp.timeout);
        settle();
      })
      .catch((err: unknown) => {
        if (aborted || settled) return;
        if (finals === 0) abort(err as Error);
        else {
          // The server is done already (a local write failed after its 226): nothing to abort.
          failure = err as Error;
          settle();
        }
      });
    return control.then(() => undefined);
  }
}

function interrupted(): ClientError {
  return new ClientError([{ problem: 'interrupted' }], 'interrupted');
}

function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interrupted();
}

/** A pass-through that counts bytes for onProgress; nothing when no one asked. */
function counter(control: TransferControl): Transform[] {
  const onProgress = control.onProgress;
  if (!onProgress) return [];
  let bytes = 0;
  return [
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        onProgress(bytes);
        done(null, chunk);
      },
    }),
  ];
}
