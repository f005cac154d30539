/**
 * The client's connection to one FTP server. basic-ftp does the protocol
 * work (replies, passive data connections, listings of every server
 * dialect), ActiveTransfers the active-mode data connections; this class
 * narrows them to what the shell and the one-shot commands need and turns
 * every failure into a ClientError with one line of text.
 */
import * as fs from 'node:fs';
import { Client, FTPError, FileType, type FileInfo as BasicFileInfo } from 'basic-ftp';
import { ActiveTransfers } from './ActiveTransfers.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface ConnectionOptions {
  /** Active mode: the server connects to us for data (EPRT, or PORT). Passive (EPSV, or PASV) otherwise. */
  readonly active?: boolean;
  /** FTPS: AUTH TLS on the plain port ('explicit'), or TLS from the first byte ('implicit', ftps:// URLs). */
  readonly tls?: 'explicit' | 'implicit' | null;
  /** Accept a certificate that does not verify (self-signed, wrong name). */
  readonly insecure?: boolean;
}

export interface RemoteEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly modifiedAt: Date | null;
  /** The time as the listing wrote it, when it could not be read as a date (Unix LIST: "Nov 25 17:16"). */
  readonly modifiedText: string;
}

export class ClientError extends Error {
  constructor(
    message: string,
    /** The FTP reply code, when the server refused. */
    readonly replyCode: number | null = null,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Control-connection replies and connects give up after this long. */
const TIMEOUT_MS = 30_000;
/** Local file streams with 1 MiB buffers move data several times faster than Node's 64/16 KiB defaults. */
const LOCAL_CHUNK_BYTES = 1024 * 1024;

/** Resolves once a file stream has opened its file, so a local error is known before any FTP command is sent. */
function openLocal<T extends fs.ReadStream | fs.WriteStream>(make: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const stream = make();
    const events: NodeJS.EventEmitter = stream;
    events.once('open', () => {
      events.off('error', reject);
      resolve(stream);
    });
    events.once('error', reject);
  });
}

export class FtpClient {
  private constructor(
    private readonly client: Client,
    readonly address: ServerAddress,
    /** Set in active mode; passive transfers are basic-ftp's own. */
    private readonly active: ActiveTransfers | null,
  ) {}

  static async connect(address: ServerAddress, credentials: Credentials, options: ConnectionOptions = {}): Promise<FtpClient> {
    const client = new Client(TIMEOUT_MS);
    try {
      await client.access({
        host: address.host,
        port: address.port,
        user: credentials.user,
        password: credentials.password,
        secure: options.tls === 'implicit' ? 'implicit' : options.tls === 'explicit',
        // basic-ftp then sends PBSZ 0 and PROT P, and resumes this TLS session on every data connection.
        secureOptions: { rejectUnauthorized: !options.insecure, minVersion: 'TLSv1.2' },
      });
    } catch (err) {
      client.close();
      throw toClientError(err, `cannot connect to ${address.host}:${address.port}`);
    }
    return new FtpClient(client, address, options.active ? new ActiveTransfers(client) : null);
  }

  get closed(): boolean {
    return this.client.closed;
  }

  /** Says goodbye politely (QUIT), then closes whatever is left. */
  async quit(): Promise<void> {
    if (!this.client.closed) await this.client.send('QUIT').catch(() => undefined);
    this.client.close();
  }

  async list(path = ''): Promise<RemoteEntry[]> {
    const infos = await this.call(() => (this.active ? this.active.list(path) : this.client.list(path)));
    return infos.map(toRemoteEntry);
  }

  /** The names in a directory, for choosing a free one. */
  async names(dir = ''): Promise<Set<string>> {
    return new Set((await this.list(dir)).map((e) => e.name));
  }

  size(path: string): Promise<number> {
    return this.call(() => this.client.size(path));
  }

  async remove(path: string): Promise<void> {
    await this.call(() => this.client.remove(path));
  }

  async cd(path: string): Promise<void> {
    await this.call(() => this.client.cd(path));
  }

  pwd(): Promise<string> {
    return this.call(() => this.client.pwd());
  }

  async mkdir(path: string): Promise<void> {
    await this.call(async () => this.client.send('MKD ' + (await this.client.protectWhitespace(path))));
  }

  async rmdir(path: string): Promise<void> {
    await this.call(() => this.client.removeEmptyDir(path));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.call(() => this.client.rename(from, to));
  }

  /**
   * Uploads a local file. With `resumeAt` the first that many bytes are
   * skipped locally and the rest appended remotely (APPE), to finish an
   * interrupted upload. Returns the bytes sent.
   */
  async upload(localPath: string, remotePath: string, resumeAt = 0): Promise<number> {
    await this.call(async () => {
      const source = await openLocal(() => fs.createReadStream(localPath, { start: resumeAt, highWaterMark: LOCAL_CHUNK_BYTES }));
      try {
        if (this.active) await this.active.upload(source, remotePath, resumeAt > 0 ? 'APPE' : 'STOR');
        else if (resumeAt > 0) await this.client.appendFrom(source, remotePath);
        else await this.client.uploadFrom(source, remotePath);
      } finally {
        // A refused upload never reads its source, so nothing else closes the file.
        source.destroy();
      }
    });
    return fs.statSync(localPath).size - resumeAt;
  }

  /** Downloads into `localPath`, from `startAt` on (REST) when resuming. Returns the bytes received. */
  async download(remotePath: string, localPath: string, startAt = 0): Promise<number> {
    await this.call(async () => {
      const flags = startAt > 0 ? 'r+' : 'w';
      const target = await openLocal(() => fs.createWriteStream(localPath, { flags, start: startAt, highWaterMark: LOCAL_CHUNK_BYTES }));
      try {
        if (this.active) await this.active.download(target, remotePath, startAt);
        else await this.client.downloadTo(target, remotePath, startAt);
      } finally {
        // A refused download never writes to its target, so nothing else closes the file.
        target.destroy();
      }
    });
    return fs.statSync(localPath).size - startAt;
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    if (this.client.closed) throw new ClientError('not connected');
    try {
      return await op();
    } catch (err) {
      throw toClientError(err);
    }
  }
}

function toRemoteEntry(info: BasicFileInfo): RemoteEntry {
  const type = info.type === FileType.Directory ? 'dir' : info.type === FileType.File ? 'file' : info.type === FileType.SymbolicLink ? 'link' : 'other';
  return { name: info.name, type, size: info.size, modifiedAt: info.modifiedAt ?? null, modifiedText: info.rawModifiedAt };
}

/** One line that says what went wrong: the server's reply, or the network's reason in plain words. */
export function toClientError(err: unknown, context?: string): ClientError {
  if (err instanceof ClientError) return err;
  const prefix = context ? `${context}: ` : '';
  if (err instanceof FTPError) return new ClientError(`${prefix}${err.message.replace(/\s+/g, ' ').trim()}`, err.code);
  const code = (err as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    ETIMEDOUT: 'timed out',
    ENOTFOUND: 'host not found',
    EHOSTUNREACH: 'host unreachable',
    ENOENT: 'no such local file',
    EACCES: 'permission denied (local file)',
    EISDIR: 'is a directory (local)',
    ENOSPC: 'no space left on the local disk',
  };
  const message = (code && reasons[code]) ?? (err as Error)?.message ?? String(err);
  return new ClientError(`${prefix}${message.split('\n')[0]}`);
}
