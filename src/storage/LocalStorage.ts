/**
 * A directory on disk as storage, confined to its root.
 *
 * Checking a path and then using it leaves a window in which a local user
 * can swap a directory on the path for a symlink out of the root. So what
 * is checked is what was opened: a file is opened (following symlinks) and
 * the path of the descriptor itself (/proc/self/fd) must be under the root;
 * an entry to create, delete or rename is reached through its parent
 * directory's descriptor ("/proc/self/fd/N/name", Linux's way of saying
 * openat), and only its last component is looked at, with lstat or
 * O_NOFOLLOW. Symlinks that stay inside the root are followed; ones that
 * point outside are refused. Where /proc is missing, the checked real path
 * is used instead, which keeps the window.
 */
import { randomBytes } from 'node:crypto';
import * as fsSync from 'node:fs';
import { constants as fsc, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isADirectory, notADirectory, outsideRoot, permissionDenied } from '../errors.js';
import { baseName, joinVirtual, parentOf } from '../protocol/virtualPath.js';
import { FILE_CHUNK_BYTES, FileSink, FileSource } from './fileStreams.js';
import type { FileInfo, FileStream, FileType, Storage, StorageCapabilities, Upload, WriteMode } from './Storage.js';
import { isTempName } from './Storage.js';
import { fromSystemError } from './systemErrors.js';

/**
 * Entries a listing reads and stats in one go. The lstat calls are made
 * synchronously: 10,000 of them through the thread pool took 0.1-0.3 s,
 * against about 15 ms inline (inodes just read by readdir are in cache). A
 * batch blocks the event loop for well under a millisecond, and the loop
 * runs between batches, so other sessions barely notice.
 */
const LIST_STAT_BATCH = 256;

/** Linux's view of this process's descriptors, if there is one. */
const PROC_FD = fsSync.existsSync('/proc/self/fd') ? '/proc/self/fd' : null;

/**
 * A directory opened once and then used through its descriptor, so no
 * component of its path can be swapped under an operation. The descriptor
 * is opened and closed synchronously: directory lookups of a local disk are
 * in the kernel's cache, and two thread-pool round trips per small upload
 * showed in its throughput.
 */
interface PinnedDir {
  /** The directory's real path when it was opened, checked to be under the root. */
  readonly real: string;
  /** A path for `name` inside this very directory, whatever happens to the directory's own path. */
  at(name: string): string;
  release(): void;
}

export class LocalStorage implements Storage {
  readonly capabilities: StorageCapabilities = { atomicUpload: true, resume: true, setModifiedTime: true, chmod: true };

  private constructor(private readonly root: string) {}

  /** `root` must be an existing directory; it is resolved to its real path once. */
  static async open(root: string): Promise<LocalStorage> {
    const real = await fs.realpath(root);
    const stats = await fs.stat(real);
    if (!stats.isDirectory()) throw notADirectory(root);
    return new LocalStorage(real);
  }

  get rootPath(): string {
    return this.root;
  }

  async stat(vpath: string): Promise<FileInfo> {
    const real = await this.resolveFollow(vpath);
    try {
      return toFileInfo(baseName(vpath), await fs.stat(real));
    } catch (err) {
      throw fromSystemError(err, vpath);
    }
  }

  async *list(vpath: string): AsyncIterable<FileInfo[]> {
    const pinned = this.pin(this.toHostPath(vpath), vpath);
    let dir;
    try {
      dir = await fs.opendir(pinned.at('.'), { bufferSize: LIST_STAT_BATCH });
    } catch (err) {
      pinned.release();
      throw fromSystemError(err, vpath);
    }
    try {
      for (let done = false; !done; ) {
        // readSync() hands out what one getdents call buffered: no promise per entry.
        const names: string[] = [];
        while (names.length < LIST_STAT_BATCH) {
          const entry = dir.readSync();
          if (entry === null) {
            done = true;
            break;
          }
          if (!isTempName(entry.name)) names.push(entry.name);
        }
        if (names.length > 0) yield await this.statBatch(pinned, vpath, names);
      }
    } catch (err) {
      throw fromSystemError(err, vpath);
    } finally {
      await dir.close().catch(() => undefined);
      pinned.release();
    }
  }

  async openRead(vpath: string, start = 0, chunkBytes = FILE_CHUNK_BYTES): Promise<FileStream> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for regular files.
    const handle = await this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw stats.isDirectory() ? isADirectory(vpath) : permissionDenied(vpath);
      return new FileSource(handle, vpath, start, stats.size, chunkBytes);
    } catch (err) {
      await handle.close();
      throw fromSystemError(err, vpath);
    }
  }

  async openWrite(vpath: string, mode: WriteMode): Promise<Upload> {
    const { dir, name, existing } = await this.entryForWrite(vpath);
    try {
      if (existing?.isDirectory()) throw isADirectory(vpath);
      if (mode.kind === 'append' || mode.kind === 'at') return await this.openInPlace(vpath, dir, name, mode);
      return await this.openReplacement(vpath, dir, name, existing, mode.kind === 'create');
    } catch (err) {
      dir.release();
      throw fromSystemError(err, vpath);
    }
  }

  async mkdir(vpath: string): Promise<void> {
    await this.atEntry(vpath, (entry) => fs.mkdir(entry));
  }

  async rmdir(vpath: string): Promise<void> {
    if (vpath === '/') throw permissionDenied(vpath);
    await this.atEntry(vpath, (entry) => fs.rmdir(entry));
  }

  async delete(vpath: string): Promise<void> {
    await this.atEntry(vpath, async (entry) => {
      if ((await fs.lstat(entry)).isDirectory()) throw isADirectory(vpath);
      await fs.unlink(entry);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === '/' || to === '/') throw permissionDenied('/');
    const source = this.pin(this.toHostPath(parentOf(from)), from);
    try {
      const target = this.pin(this.toHostPath(parentOf(to)), to);
      try {
        const fromEntry = source.at(baseName(from));
        await fs.lstat(fromEntry).catch((err) => {
          throw fromSystemError(err, from);
        });
        await fs.rename(fromEntry, target.at(baseName(to))).catch((err) => {
          throw fromSystemError(err, to);
        });
      } finally {
        target.release();
      }
    } finally {
      source.release();
    }
  }

  async setModifiedTime(vpath: string, time: Date): Promise<void> {
    await this.withOpened(vpath, (handle) => handle.utimes(time, time));
  }

  async chmod(vpath: string, mode: number): Promise<void> {
    await this.withOpened(vpath, (handle) => handle.chmod(mode & 0o7777));
  }

  /** Opens `vpath` following symlinks, then refuses it unless what was opened is under the root. */
  private async openChecked(vpath: string, flags: number): Promise<fs.FileHandle> {
    const host = this.toHostPath(vpath);
    let handle;
    try {
      handle = await fs.open(host, flags);
    } catch (err) {
      throw fromSystemError(err, vpath);
    }
    try {
      this.assertInside(PROC_FD ? fsSync.readlinkSync(`${PROC_FD}/${handle.fd}`) : await fs.realpath(host), vpath);
      return handle;
    } catch (err) {
      await handle.close();
      throw fromSystemError(err, vpath);
    }
  }

  private async withOpened(vpath: string, act: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
    const handle = await this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      await act(handle);
    } catch (err) {
      throw fromSystemError(err, vpath);
    } finally {
      await handle.close();
    }
  }

  /** Runs `act` on a path for the entry `vpath` names, reached through its pinned parent. */
  private async atEntry(vpath: string, act: (entry: string) => Promise<void>): Promise<void> {
    const dir = this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    try {
      await act(dir.at(baseName(vpath)));
    } catch (err) {
      throw fromSystemError(err, vpath);
    } finally {
      dir.release();
    }
  }

  /** Opens a directory (following symlinks), checks where it really is, and hands out paths through its descriptor. */
  private pin(hostDir: string, vpath: string): PinnedDir {
    let fd: number;
    try {
      fd = fsSync.openSync(hostDir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    } catch (err) {
      throw fromSystemError(err, vpath);
    }
    try {
      const real = PROC_FD ? fsSync.readlinkSync(`${PROC_FD}/${fd}`) : fsSync.realpathSync(hostDir);
      this.assertInside(real, vpath);
      const base = PROC_FD ? `${PROC_FD}/${fd}` : real;
      let open = true;
      return {
        real,
        at: (name) => `${base}/${name}`,
        release: () => {
          if (open) fsSync.closeSync(fd);
          open = false;
        },
      };
    } catch (err) {
      fsSync.closeSync(fd);
      throw fromSystemError(err, vpath);
    }
  }

  /** The real path of an existing file or directory, following symlinks that stay inside the root. */
  private async resolveFollow(vpath: string): Promise<string> {
    let real: string;
    try {
      real = await fs.realpath(this.toHostPath(vpath));
    } catch (err) {
      throw fromSystemError(err, vpath);
    }
    this.assertInside(real, vpath);
    return real;
  }

  /**
   * Where an upload goes, and what is there now: the entry in its pinned
   * parent, looked at with lstat (a new name costs that one call). An
   * existing symlink is followed only if it stays inside the root, and then
   * the upload goes beside its target; a dangling one is replaced like a
   * missing file.
   */
  private async entryForWrite(vpath: string): Promise<{ dir: PinnedDir; name: string; existing: Stats | null }> {
    if (vpath === '/') throw isADirectory(vpath);
    const dir = this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    const name = baseName(vpath);
    try {
      const stats = await fs.lstat(dir.at(name)).catch(() => null);
      if (!stats?.isSymbolicLink()) return { dir, name, existing: stats };
      const target = await this.resolveFollow(vpath).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'FTP_ERR_NOT_FOUND') return null;
        throw err;
      });
      if (target === null) return { dir, name, existing: null };
      const targetDir = this.pin(path.dirname(target), vpath);
      dir.release();
      const targetName = path.basename(target);
      return { dir: targetDir, name: targetName, existing: await fs.stat(targetDir.at(targetName)).catch(() => null) };
    } catch (err) {
      dir.release();
      throw err;
    }
  }

  private toHostPath(vpath: string): string {
    return vpath === '/' ? this.root : path.join(this.root, vpath);
  }

  private assertInside(real: string, vpath: string): void {
    if (real !== this.root && !real.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep)) {
      throw outsideRoot(vpath);
    }
  }

  private async statBatch(dir: PinnedDir, vdir: string, names: string[]): Promise<FileInfo[]> {
    const infos: FileInfo[] = [];
    for (const name of names) {
      const stats = fsSync.lstatSync(dir.at(name), { throwIfNoEntry: false });
      // An entry that vanished between readdir and lstat is simply not listed.
      if (!stats) continue;
      infos.push(stats.isSymbolicLink() ? await this.linkInfo(joinVirtual(vdir, name), name, stats) : toFileInfo(name, stats));
    }
    // Let other sessions run before the next batch.
    await new Promise((resolve) => setImmediate(resolve));
    return infos;
  }

  /** A link is listed as what it points to only when that stays inside the root; otherwise as a link. */
  private async linkInfo(vpath: string, name: string, link: Stats): Promise<FileInfo> {
    const target = await this.resolveFollow(vpath).catch(() => null);
    const stats = target === null ? null : await fs.stat(target).catch(() => null);
    return toFileInfo(name, stats ?? link);
  }

  private async openInPlace(vpath: string, dir: PinnedDir, name: string, mode: Extract<WriteMode, { kind: 'append' | 'at' }>): Promise<Upload> {
    const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_NOFOLLOW | (mode.kind === 'append' ? fsc.O_APPEND : 0);
    const entry = dir.at(name);
    const handle = await fs.open(entry, flags, 0o666);
    let keepBytes: number;
    try {
      keepBytes = mode.kind === 'at' ? mode.offset : (await handle.stat()).size;
      // REST n + STOR: the file becomes its first n bytes followed by what the client sends.
      if (mode.kind === 'at') await handle.truncate(mode.offset);
    } catch (err) {
      await handle.close();
      throw err;
    }
    const stream = new FileSink(handle, vpath, mode.kind === 'append' ? null : mode.offset);
    return {
      stream,
      commit: async () => {
        try {
          await settle(stream, vpath);
        } finally {
          dir.release();
        }
      },
      abort: async (keepWritten) => {
        stream.destroy();
        await settle(stream, vpath).catch(() => undefined);
        // Cut back to what was there before this upload, unless the client will want to resume.
        if (!keepWritten) await truncateEntry(entry, keepBytes).catch(() => undefined);
        dir.release();
      },
    };
  }

  /** Writes a hidden temporary beside the target; commit renames it over the target, or links it only if the name is free. */
  private async openReplacement(vpath: string, dir: PinnedDir, name: string, existing: Stats | null, exclusive: boolean): Promise<Upload> {
    const temp = dir.at(`.sockftp-${randomBytes(8).toString('hex')}.tmp`);
    const target = dir.at(name);
    const handle = await fs.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o666);
    // Replacing a file keeps its permissions, as an in-place overwrite would.
    if (existing) await handle.chmod(existing.mode & 0o7777).catch(() => undefined);
    const stream = new FileSink(handle, vpath, 0);
    const discard = () => fs.unlink(temp).catch(() => undefined);
    return {
      stream,
      commit: async () => {
        try {
          await settle(stream, vpath);
          if (!exclusive) await fs.rename(temp, target);
          else {
            // link(2) fails with EEXIST where rename(2) would replace: a name taken meanwhile stays untouched.
            await fs.link(temp, target);
            await discard();
          }
        } catch (err) {
          await discard();
          throw fromSystemError(err, vpath);
        } finally {
          dir.release();
        }
      },
      abort: async () => {
        stream.destroy();
        await settle(stream, vpath).catch(() => undefined);
        await discard();
        dir.release();
      },
    };
  }
}

/** truncate(2) follows symlinks; opening with O_NOFOLLOW first does not. */
async function truncateEntry(entry: string, length: number): Promise<void> {
  const handle = await fs.open(entry, fsc.O_WRONLY | fsc.O_NOFOLLOW);
  try {
    await handle.truncate(length);
  } finally {
    await handle.close();
  }
}

/** Waits until a sink has closed its file, and fails if it failed. */
function settle(stream: FileSink, vpath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => (stream.errored ? reject(fromSystemError(stream.errored, vpath)) : resolve());
    if (stream.closed) done();
    else stream.once('close', done);
  });
}

function toFileInfo(name: string, stats: Stats): FileInfo {
  return {
    name,
    type: fileType(stats),
    size: stats.size,
    mtime: stats.mtime,
    mode: stats.mode & 0o7777,
    id: `${stats.dev.toString(16)}g${stats.ino.toString(16)}`,
  };
}

function fileType(stats: Stats): FileType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'link';
  return 'other';
}
