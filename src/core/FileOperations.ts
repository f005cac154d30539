/**
 * What a logged-in user does to files, for every front door: each operation
 * resolves the client's path against the working directory, checks the
 * account's permission, and only then calls the storage. FTP handlers (and
 * a web front door) call these and never the storage itself, so no door can
 * forget a check. Nothing here knows of FTP or HTTP: failures are FileError
 * kinds, which each door maps to its own replies.
 */
import type { Account } from '../auth/Account.js';
import type { Permission } from '../auth/permissions.js';
import { isFileError, notADirectory, notSupported, offsetPastEnd, permissionDenied } from './errors.js';
import { capabilitiesOf, type Capabilities } from './capabilities.js';
import { createDigest, type HashAlgorithm } from './digests.js';
import type { FileInfo } from './FileInfo.js';
import { freeName } from './freeName.js';
import type { ChunkReader, FileStream, Storage, Upload } from './Storage.js';
import { baseName, joinVirtual, parentOf, resolveVirtualPath } from './virtualPath.js';

/** Where an upload goes: a new file replacing any old one, one under a free name, or in place. */
export type UploadTarget =
  { readonly kind: 'replace' } | { readonly kind: 'unique' } | { readonly kind: 'append' } | { readonly kind: 'at'; readonly offset: number };

/** A file opened for sending: read into the sender's buffers where the backend can, else a stream. */
export type SendSource = { readonly kind: 'chunks'; readonly reader: ChunkReader } | { readonly kind: 'stream'; readonly stream: FileStream };

/** What a listing shows: a directory's entries a page at a time, or a single file. */
export type Listing =
  { readonly kind: 'dir'; readonly info: FileInfo; readonly pages: AsyncIterable<FileInfo[]> } | { readonly kind: 'file'; readonly info: FileInfo };

/** A change a client made, told to whoever made the FileOperations (a door, which makes it the core's fileAction event). */
export interface FileChange {
  readonly action: 'delete' | 'rmdir' | 'mkdir' | 'rename';
  readonly path: string;
  /** A rename's new path. */
  readonly to?: string;
}

export class FileOperations {
  /** The virtual working directory; "/" is the account's home. */
  cwd = '/';
  readonly capabilities: Capabilities;

  constructor(
    readonly account: Account,
    readonly storage: Storage,
    /** Told of each change once it is done, so every door reports them the same way. */
    private readonly changed: (change: FileChange) => void = () => undefined,
  ) {
    this.capabilities = capabilitiesOf(storage);
  }

  /** A client's path as an absolute virtual path (core/virtualPath.ts); an empty one is the working directory. */
  resolve(arg: string): string {
    return arg === '' ? this.cwd : resolveVirtualPath(this.cwd, arg);
  }

  can(permission: Permission): boolean {
    return this.account.permissions.has(permission);
  }

  async stat(arg: string): Promise<{ path: string; info: FileInfo }> {
    const path = this.allowed('read', arg);
    return { path, info: await this.storage.stat(path) };
  }

  /** What a path names, or null when nothing is there; "not found" is an answer here, every other failure is still thrown. */
  async lookup(arg: string): Promise<FileInfo | null> {
    return this.lookupAt(this.allowed('read', arg));
  }

  /** Whether a path names anything (lookup's answer, for callers that need no more). */
  async exists(arg: string): Promise<boolean> {
    return (await this.lookup(arg)) !== null;
  }

  async changeDirectory(arg: string): Promise<string> {
    const { path, info } = await this.stat(arg);
    if (info.type !== 'dir') throw notADirectory(path);
    this.cwd = path;
    return path;
  }

  /** A directory's entries, or the file itself. The target is looked at first, so "not found" comes before any data. */
  async listing(arg: string): Promise<{ path: string; listing: Listing }> {
    const { path, info } = await this.stat(arg);
    if (info.type !== 'dir') return { path, listing: { kind: 'file', info } };
    return { path, listing: { kind: 'dir', info, pages: this.storage.list(path) } };
  }

  /** The directory's parent's facts (MLSD's "pdir"), or null at the root. */
  async parentInfo(path: string): Promise<FileInfo | null> {
    return path === '/' ? null : this.storage.stat(parentOf(path));
  }

  async openRead(arg: string, offset = 0, chunkBytes?: number): Promise<{ path: string; stream: FileStream }> {
    const path = this.allowed('read', arg);
    return { path, stream: await this.storage.openRead(path, offset, chunkBytes) };
  }

  /** Opens a file for a download, by the backend's fast read path where it has one and `fast` allows it (a stream otherwise). */
  async openSend(arg: string, offset: number, chunkBytes: number, fast: boolean): Promise<{ path: string; source: SendSource; size: number | undefined }> {
    const path = this.allowed('read', arg);
    await this.checkOffset(path, offset, 'read');
    if (fast && this.storage.openReader) {
      const reader = await this.storage.openReader(path, offset, chunkBytes);
      return { path, source: { kind: 'chunks', reader }, size: reader.size };
    }
    const stream = await this.storage.openRead(path, offset, chunkBytes);
    return { path, source: { kind: 'stream', stream }, size: stream.size };
  }

  /** Opens an upload; `path` is where it lands (for 'unique', under the first free name). */
  async openUpload(arg: string, target: UploadTarget): Promise<{ path: string; upload: Upload }> {
    const wanted = this.allowed('write', arg);
    switch (target.kind) {
      case 'replace':
        return { path: wanted, upload: await this.storage.openWrite(wanted, 'replace') };
      case 'unique': {
        const dir = parentOf(wanted);
        // Without a read check: an account that may only write (a drop box) must still find a free name.
        const name = await freeName(baseName(wanted), async (candidate) => (await this.lookupAt(joinVirtual(dir, candidate))) !== null);
        const path = joinVirtual(dir, name);
        return { path, upload: await this.storage.openWrite(path, 'create') };
      }
      case 'append':
      case 'at': {
        if (!this.storage.openWriteAt) throw notSupported(`This storage cannot ${target.kind === 'append' ? 'append to files' : 'resume uploads'}`);
        if (target.kind === 'at') await this.checkOffset(wanted, target.offset, 'write');
        return { path: wanted, upload: await this.storage.openWriteAt(wanted, target.kind === 'append' ? 'end' : target.offset) };
      }
    }
  }

  /**
   * RFC 3659 5.5: a restart offset past the end of the file is refused before
   * anything is opened, so no download sends nothing with 226 and no upload
   * leaves a hole of zeros. At the end exactly is fine: a resume that was complete.
   * A missing file is for the read to report (550); a write at n > 0 into one is refused here.
   */
  private async checkOffset(path: string, offset: number, use: 'read' | 'write'): Promise<void> {
    if (offset === 0) return;
    let info: FileInfo;
    try {
      info = await this.storage.stat(path);
    } catch (err) {
      if (use === 'write' && isFileError(err, 'NOT_FOUND')) throw offsetPastEnd(path, offset, null);
      throw err;
    }
    if (info.type === 'file' && offset > info.size) throw offsetPastEnd(path, offset, info.size);
  }

  async delete(arg: string): Promise<string> {
    const path = this.allowed('delete', arg);
    await this.storage.delete(path);
    this.changed({ action: 'delete', path });
    return path;
  }

  async mkdir(arg: string): Promise<string> {
    const path = this.allowed('mkdir', arg);
    await this.storage.mkdir(path);
    this.changed({ action: 'mkdir', path });
    return path;
  }

  async rmdir(arg: string): Promise<string> {
    const path = this.allowed('mkdir', arg);
    await this.storage.rmdir(path);
    this.changed({ action: 'rmdir', path });
    return path;
  }

  /** Checks a rename's source (FTP's RNFR) and returns its path for rename(). */
  async renameSource(arg: string): Promise<string> {
    const path = this.allowed('rename', arg);
    await this.storage.stat(path);
    return path;
  }

  async rename(fromArg: string, toArg: string): Promise<string> {
    const from = this.allowed('rename', fromArg);
    const to = this.allowed('rename', toArg);
    await this.storage.rename(from, to);
    this.changed({ action: 'rename', path: from, to });
    return to;
  }

  async setModifiedTime(arg: string, time: Date): Promise<string> {
    const path = this.allowed('write', arg);
    if (!this.storage.setModifiedTime) throw notSupported('This storage cannot set modification times');
    await this.storage.setModifiedTime(path, time);
    return path;
  }

  async chmod(arg: string, mode: number): Promise<string> {
    const path = this.allowed('write', arg);
    if (!this.storage.chmod) throw notSupported('This storage has no permission bits');
    await this.storage.chmod(path, mode);
    return path;
  }

  /**
   * The hex digest of bytes [start, end) of a file, as a binary download would
   * deliver them. A digest of the whole file that the backend already holds is
   * used as it is; anything else is computed by reading.
   */
  async digest(arg: string, algorithm: HashAlgorithm, start: number, end: number, size: number): Promise<string> {
    const path = this.allowed('read', arg);
    if (start === 0 && end === size && this.storage.knownDigest) {
      const known = await this.storage.knownDigest(path, algorithm);
      if (known) return known;
    }
    const digest = createDigest(algorithm);
    let left = end - start;
    if (left > 0) {
      const source = await this.storage.openRead(path, start);
      try {
        for await (const chunk of source) {
          const bytes = chunk as Buffer;
          digest.update(bytes.length > left ? bytes.subarray(0, left) : bytes);
          left -= bytes.length;
          if (left <= 0) break;
        }
      } finally {
        source.destroy();
      }
    }
    return digest.hex();
  }

  private async lookupAt(path: string): Promise<FileInfo | null> {
    try {
      return await this.storage.stat(path);
    } catch (err) {
      if (isFileError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  }

  /** Resolves `arg` and refuses it unless the account has `permission`. */
  private allowed(permission: Permission, arg: string): string {
    const path = this.resolve(arg);
    if (!this.can(permission)) throw permissionDenied(path);
    return path;
  }
}
