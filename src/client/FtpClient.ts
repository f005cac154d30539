/**
 * The client's connection to one FTP server. basic-ftp does the protocol
 * work (replies, login, TLS, listings of every server dialect),
 * DataTransfers runs the transfers in a way that can be stopped; this class
 * narrows them to what the shell and the one-shot commands need and turns
 * every failure into a ClientError with one line of text.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Writable } from 'node:stream';
import { Client, FileType, type FileInfo as BasicFileInfo } from 'basic-ftp';
import { ClientError, toClientError, type Subjects } from './ClientError.js';
import { ActiveConnector, PassiveConnector } from './dataConnections.js';
import { DataTransfers, type TransferControl } from './DataTransfers.js';
import { formatHostForUrl } from '../net/hosts.js';

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

/** Where to connect and as whom: what connect, connme and open need. */
export interface Destination {
  readonly address: ServerAddress;
  readonly credentials: Credentials;
  readonly options: ConnectionOptions;
}

export interface RemoteEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly modifiedAt: Date | null;
  /** The time as the listing wrote it, when it could not be read as a date (Unix LIST: "Nov 25 17:16"). */
  readonly modifiedText: string;
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
  /** The server's FEAT lines, asked once per connection. */
  private features: Promise<Map<string, string>> | null = null;
  /** Set once the server accepted OPTS HASH SHA-256 on this connection. */
  private hashSelected = false;
  /** The working directory after the last cd, as PWD said it; null while it is still the login directory. */
  private workingDir: string | null = null;

  private constructor(
    private client: Client,
    private transfers: DataTransfers,
    private readonly destination: Destination,
  ) {}

  /** `signal` gives up a connect that hangs (Ctrl-C in the shell). */
  static async connect(address: ServerAddress, credentials: Credentials, options: ConnectionOptions = {}, signal?: AbortSignal): Promise<FtpClient> {
    const client = await login(address, credentials, options, signal);
    return new FtpClient(client, transfersOver(client, options), { address, credentials, options });
  }

  /**
   * A new connection to the same target in place of this one (through a
   * load balancer it may reach another instance), logged in again and back
   * in the same working directory: what a retry after a lost connection needs.
   */
  async reconnect(signal?: AbortSignal): Promise<void> {
    this.client.close();
    const { address, credentials, options } = this.destination;
    const client = await login(address, credentials, options, signal);
    this.client = client;
    this.transfers = transfersOver(client, options);
    this.features = null;
    this.hashSelected = false;
    if (this.workingDir !== null) await this.cd(this.workingDir);
  }

  get closed(): boolean {
    return this.client.closed;
  }

  /** Says goodbye politely (QUIT), then closes whatever is left. */
  async quit(): Promise<void> {
    if (!this.client.closed) await this.client.send('QUIT').catch(() => undefined);
    this.client.close();
  }

  async list(path = '', signal?: AbortSignal): Promise<RemoteEntry[]> {
    const infos = await this.call(() => this.transfers.list(path, signal), { remote: path });
    return infos.filter((info) => info.name !== '.' && info.name !== '..').map(toRemoteEntry);
  }

  /** The names in a directory, for choosing a free one. */
  async names(dir = ''): Promise<Set<string>> {
    return new Set((await this.list(dir)).map((e) => e.name));
  }

  size(path: string): Promise<number> {
    return this.call(() => this.client.size(path), { remote: path });
  }

  async remove(path: string): Promise<void> {
    await this.call(() => this.client.remove(path), { remote: path });
  }

  /** Changes directory and resolves with where it landed (PWD), remembered so that a reconnect can go back there. */
  async cd(path: string): Promise<string> {
    await this.call(() => this.client.cd(path), { remote: path });
    this.workingDir = await this.pwd();
    return this.workingDir;
  }

  pwd(): Promise<string> {
    return this.call(() => this.client.pwd());
  }

  async mkdir(path: string): Promise<void> {
    await this.call(async () => this.client.send('MKD ' + (await this.client.protectWhitespace(path))), { remote: path });
  }

  async rmdir(path: string): Promise<void> {
    await this.call(() => this.client.removeEmptyDir(path), { remote: path });
  }

  async rename(from: string, to: string): Promise<void> {
    await this.call(() => this.client.rename(from, to), { remote: from });
  }

  /**
   * Uploads a local file. With `resumeAt` the first that many bytes are
   * skipped locally and the rest appended remotely (APPE), to finish an
   * interrupted upload. Returns the bytes sent.
   */
  async upload(localPath: string, remotePath: string, resumeAt = 0, options: TransferControl = {}): Promise<number> {
    const subjects = { remote: remotePath, local: localPath };
    await this.call(async () => {
      const source = await openLocal(() => fs.createReadStream(localPath, { start: resumeAt, highWaterMark: LOCAL_CHUNK_BYTES }));
      try {
        await this.transfers.upload(source, remotePath, resumeAt > 0 ? 'APPE' : 'STOR', options);
      } finally {
        // A refused upload never reads its source, so nothing else closes the file.
        source.destroy();
      }
    }, subjects);
    return fs.statSync(localPath).size - resumeAt;
  }

  /** Downloads into `localPath`, from `startAt` on (REST) when resuming. Returns the bytes received. */
  async download(remotePath: string, localPath: string, startAt = 0, options: TransferControl = {}): Promise<number> {
    await this.call(
      async () => {
        const flags = startAt > 0 ? 'r+' : 'w';
        const target = await openLocal(() => fs.createWriteStream(localPath, { flags, start: startAt, highWaterMark: LOCAL_CHUNK_BYTES }));
        try {
          await this.transfers.download(target, remotePath, startAt, options);
        } finally {
          // A refused download never writes to its target, so nothing else closes the file. Waiting for
          // the close lets writes still under way land first: a retry resumes from the size on disk.
          // A write cut by the destroy fails with ERR_STREAM_DESTROYED: the transfer's own failure says more.
          if (!target.closed)
            await new Promise<void>((resolve) =>
              target
                .on('error', () => undefined)
                .once('close', () => resolve())
                .destroy(),
            );
        }
      },
      { remote: remotePath, local: localPath },
    );
    return fs.statSync(localPath).size - startAt;
  }

  /** SHA-256 of a remote file as the server computes it (HASH, draft-bryan-ftpext-hash); null when it has no HASH. */
  async serverSha256(path: string): Promise<string | null> {
    const hash = (await this.call(() => (this.features ??= this.client.features()))).get('HASH');
    if (hash === undefined || !/SHA-256/i.test(hash)) return null;
    return this.call(
      async () => {
        // A server that lists HASH but will not hash with SHA-256 is one without HASH here.
        if (!this.hashSelected && (await this.client.sendIgnoringError('OPTS HASH SHA-256')).code >= 400) return null;
        this.hashSelected = true;
        const reply = await this.client.send('HASH ' + (await this.client.protectWhitespace(path)));
        // "213 SHA-256 0-1023 <hex> name"
        const m = /^213 SHA-256 \d+-\d+ ([0-9a-f]+)/i.exec(reply.message);
        if (!m) throw new ClientError([path, { problem: 'badHashReply', args: [reply.message] }], 'remote');
        return m[1].toLowerCase();
      },
      { remote: path },
    );
  }

  /** SHA-256 of a remote file, downloaded and hashed here without being stored: for servers without HASH. */
  async sha256ByDownload(path: string, options: TransferControl = {}): Promise<string> {
    const hash = createHash('sha256');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    });
    await this.call(() => this.transfers.download(sink, path, 0, options), { remote: path });
    return hash.digest('hex');
  }

  private async call<T>(op: () => Promise<T>, subjects: Subjects = {}): Promise<T> {
    if (this.client.closed) throw new ClientError([{ problem: 'notConnected' }]);
    try {
      return await op();
    } catch (err) {
      throw toClientError(err, subjects);
    }
  }
}

/** A logged-in basic-ftp client; every failure is a ClientError that says whether the connect or the login failed. */
async function login(address: ServerAddress, credentials: Credentials, options: ConnectionOptions, signal?: AbortSignal): Promise<Client> {
  const client = new Client(TIMEOUT_MS);
  const giveUp = () => client.close();
  signal?.addEventListener('abort', giveUp, { once: true });
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
    if (signal?.aborted) throw new ClientError([{ problem: 'interrupted' }], 'interrupted');
    const failure = toClientError(err);
    if (failure.kind === 'login') throw failure.within([{ problem: 'loginRefused', args: [credentials.user] }]);
    throw failure.within([{ problem: 'cannotConnect', args: [formatTarget(address)] }], 'connect');
  } finally {
    signal?.removeEventListener('abort', giveUp);
  }
  return client;
}

function transfersOver(client: Client, options: ConnectionOptions): DataTransfers {
  return new DataTransfers(client, options.active ? new ActiveConnector(client) : new PassiveConnector(client));
}

export function formatTarget(address: ServerAddress): string {
  return `${formatHostForUrl(address.host)}:${address.port}`;
}

function toRemoteEntry(info: BasicFileInfo): RemoteEntry {
  const type = info.type === FileType.Directory ? 'dir' : info.type === FileType.File ? 'file' : info.type === FileType.SymbolicLink ? 'link' : 'other';
  return { name: info.name, type, size: info.size, modifiedAt: info.modifiedAt ?? null, modifiedText: info.rawModifiedAt };
}
