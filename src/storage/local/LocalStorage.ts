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
 *
 * Metadata calls (open, close, stat, rename, unlink, mkdir) are made
 * synchronously; only reading and writing file data goes through the thread
 * pool. A round trip to the pool costs more than 100 us on these machines,
 * against about 25 us for creating a file inline, and a small transfer is
 * mostly such calls: done through the pool, they held STOR of 4 KiB files
 * to about 570 a second, against 1,100-1,400 for vsftpd and pyftpdlib,
 * which make them inline too. Listings are the exception where the addon
 * is built: their thousands of lstat calls go to the pool in batches, ahead
 * of the formatting (entryStats.ts).
 *
 * Inline, a call into a filesystem that stops answering would stop every
 * session of every door with it (pyftpdlib's fate; vsftpd and pure-ftpd
 * lose only the one process). So each call is made inline only where its
 * path stays on a local disk's or memory's filesystem (mounts.ts), and on a
 * network or FUSE mount it goes through the pool, in that mount's lane
 * (lanes.ts), which bounds the threads one hung mount can hold: then only the
 * sessions that touch that mount wait. Its files' reads, writes and closes
 * go the same way, never by sendfile (fileStreams.ts). systemCalls.ts picks
 * the way for each path.
 */
import * as fs from 'node:fs';
import { constants as fsc, type Stats } from 'node:fs';
import * as path from 'node:path';
import { isADirectory, notADirectory, notFound, outsideRoot, permissionDenied } from '../../core/errors.js';
import { baseName, joinVirtual, parentOf } from '../../core/virtualPath.js';
import { readEntries, toFileInfo, type OpenedDir } from './entryStats.js';
import { FILE_CHUNK_BYTES, FileSink, FileSource } from './fileStreams.js';
import type { FileInfo } from '../../core/FileInfo.js';
import type { ChunkReader, FileStream, Storage, Upload, WriteMode } from '../../core/Storage.js';
import type { Lane } from './lanes.js';
import { mounts } from './mounts.js';
import { callsAt, callsTo, type Result, type SystemCalls } from './systemCalls.js';
import { fromSystemError } from './systemErrors.js';
import { isTempName, newTempName } from './temporaries.js';

/** Linux's view of this process's descriptors, if there is one. */
const PROC_FD = fs.existsSync('/proc/self/fd') ? '/proc/self/fd' : null;

/** A directory opened once and then used through its descriptor, so no component of its path can be swapped under an operation. */
interface PinnedDir extends OpenedDir {
  /** The calls for the directory and what is in it. */
  readonly calls: SystemCalls;
  /** The lane its listing takes: its own mount's, or that of a mount whose point is one of its entries (a listing stats that). */
  readonly listLane: Lane | null;
  /** A path for `name` inside this very directory, whatever happens to the directory's own path. */
  at(name: string): string;
  /** The calls for entry `name` itself: the directory's, unless the entry is where a mount that may not answer is mounted. */
  entryCalls(name: string): SystemCalls;
  release(): void;
}

/** An open file and the calls for it (those of the mount it is on). */
interface Opened {
  readonly fd: number;
  readonly calls: SystemCalls;
}

/**
 * Runs a system call, inline or in the pool, and turns its failure into the
 * FileError kind for `vpath`. Inline, it is not an async function: no promise
 * of its own where the call's value is there at once.
 */
function attempt<T>(vpath: string, call: () => Result<T>): Result<T> {
  try {
    const value = call();
    return value instanceof Promise ? value.catch((err: unknown) => Promise.reject(fromSystemError(err, vpath))) : value;
  } catch (err) {
    throw fromSystemError(err, vpath);
  }
}

/** Closes a descriptor after a failure, which has its own error to report: inline, or started in its lane. */
function closeQuietly({ fd, calls }: Opened): void {
  try {
    const closing = calls.close(fd);
    if (closing instanceof Promise) closing.catch(() => undefined);
  } catch {
    // The failure being reported matters more.
  }
}

export class LocalStorage implements Storage {
  readonly kind = 'local';

  private constructor(private readonly root: string) {}

  /** `root` must be an existing directory; it is resolved to its real path once. */
  static async open(root: string): Promise<LocalStorage> {
    const absolute = path.resolve(root);
    const real = await callsTo(absolute, '/').realpath(absolute);
    if (!(await callsAt(real).stat(real)).isDirectory()) throw notADirectory(root);
    return new LocalStorage(real);
  }

  /** Metadata only, checked by real path: a race here can reveal an outside file's size or time, never its content. */
  async stat(vpath: string): Promise<FileInfo> {
    const real = await this.resolveFollow(vpath);
    return toFileInfo(baseName(vpath), await attempt(vpath, () => callsAt(real).stat(real)));
  }

  async *list(vpath: string): AsyncIterable<FileInfo[]> {
    const pinned = await this.pin(this.toHostPath(vpath), vpath);
    let entries;
    try {
      entries = await readEntries(pinned, undefined, pinned.listLane);
    } catch (err) {
      pinned.release();
      throw fromSystemError(err, vpath);
    }
    try {
      for (let batch = await entries.next(); batch !== null; batch = await entries.next()) {
        const infos: FileInfo[] = [];
        for (const info of batch) {
          if (isTempName(info.name)) continue;
          infos.push(info.type === 'link' ? await this.linkInfo(joinVirtual(vpath, info.name), info) : info);
        }
        if (infos.length > 0) yield infos;
      }
    } catch (err) {
      throw fromSystemError(err, vpath);
    } finally {
      await entries.close();
      pinned.release();
    }
  }

  async openRead(vpath: string, start = 0, chunkBytes = FILE_CHUNK_BYTES): Promise<FileStream> {
    return this.openSource(vpath, start, chunkBytes);
  }

  /** The same source: a FileSource reads into the caller's buffers as well as being a stream. */
  async openReader(vpath: string, start: number, chunkBytes: number): Promise<ChunkReader> {
    return this.openSource(vpath, start, chunkBytes);
  }

  private async openSource(vpath: string, start: number, chunkBytes: number): Promise<FileSource> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for regular files.
    const opened = await this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      const stats = await opened.calls.fstat(opened.fd);
      if (!stats.isFile()) throw stats.isDirectory() ? isADirectory(vpath) : permissionDenied(vpath);
      return new FileSource(opened.fd, vpath, start, stats.size, chunkBytes, opened.calls.lane);
    } catch (err) {
      closeQuietly(opened);
      throw fromSystemError(err, vpath);
    }
  }

  async openWrite(vpath: string, mode: WriteMode): Promise<Upload> {
    return this.withEntryForWrite(vpath, (dir, name, existing) => this.openReplacement(vpath, dir, name, existing, mode === 'create'));
  }

  async openWriteAt(vpath: string, offset: number | 'end'): Promise<Upload> {
    return this.withEntryForWrite(vpath, (dir, name) => this.openInPlace(vpath, dir, name, offset));
  }

  /** Finds where an upload goes and opens it there; the pinned directory is released by the upload, or here if opening fails. */
  private async withEntryForWrite(vpath: string, open: (dir: PinnedDir, name: string, existing: Stats | null) => Promise<Upload>): Promise<Upload> {
    const { dir, name, existing } = await this.entryForWrite(vpath);
    try {
      if (existing?.isDirectory()) throw isADirectory(vpath);
      return await open(dir, name, existing);
    } catch (err) {
      dir.release();
      throw fromSystemError(err, vpath);
    }
  }

  async mkdir(vpath: string): Promise<void> {
    await this.atEntry(vpath, (calls, entry) => calls.mkdir(entry));
  }

  async rmdir(vpath: string): Promise<void> {
    if (vpath === '/') throw permissionDenied(vpath);
    await this.atEntry(vpath, (calls, entry) => calls.rmdir(entry));
  }

  async delete(vpath: string): Promise<void> {
    await this.atEntry(vpath, async (calls, entry) => {
      // Nothing there: unlink says so.
      if ((await calls.lstat(entry))?.isDirectory()) throw isADirectory(vpath);
      await calls.unlink(entry);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === '/' || to === '/') throw permissionDenied('/');
    const source = await this.pin(this.toHostPath(parentOf(from)), from);
    try {
      const target = await this.pin(this.toHostPath(parentOf(to)), to);
      try {
        const fromEntry = source.at(baseName(from));
        const fromCalls = source.entryCalls(baseName(from));
        if (!(await attempt(from, () => fromCalls.lstat(fromEntry)))) throw notFound(from);
        const calls = fromCalls.lane ? fromCalls : target.entryCalls(baseName(to));
        await attempt(to, () => calls.rename(fromEntry, target.at(baseName(to))));
      } finally {
        target.release();
      }
    } finally {
      source.release();
    }
  }

  async setModifiedTime(vpath: string, time: Date): Promise<void> {
    await this.withOpened(vpath, (calls, fd) => calls.futimes(fd, time));
  }

  async chmod(vpath: string, mode: number): Promise<void> {
    await this.withOpened(vpath, (calls, fd) => calls.fchmod(fd, mode & 0o7777));
  }

  /** The calls for a path under the root whose symlinks will be followed. */
  private callsFor(host: string): SystemCalls {
    return callsTo(host, this.root);
  }

  /** Opens `vpath` following symlinks, then refuses it unless what was opened is under the root. */
  private async openChecked(vpath: string, flags: number): Promise<Opened> {
    const host = this.toHostPath(vpath);
    const calls = this.callsFor(host);
    const fd = await attempt(vpath, () => calls.open(host, flags));
    try {
      // readlink of /proc/self/fd/N asks no filesystem (checked on a stalled FUSE mount).
      const real = PROC_FD ? fs.readlinkSync(`${PROC_FD}/${fd}`) : await calls.realpath(host);
      this.assertInside(real, vpath);
      return { fd, calls: callsAt(real) };
    } catch (err) {
      closeQuietly({ fd, calls });
      throw fromSystemError(err, vpath);
    }
  }

  private async withOpened(vpath: string, act: (calls: SystemCalls, fd: number) => Result<void>): Promise<void> {
    const { fd, calls } = await this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      await attempt(vpath, () => act(calls, fd));
    } finally {
      await calls.close(fd);
    }
  }

  /** Runs `act` on a path for the entry `vpath` names, reached through its pinned parent. */
  private async atEntry(vpath: string, act: (calls: SystemCalls, entry: string) => Result<void>): Promise<void> {
    const dir = await this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    try {
      const name = baseName(vpath);
      await attempt(vpath, () => act(dir.entryCalls(name), dir.at(name)));
    } finally {
      dir.release();
    }
  }

  /** Opens a directory (following symlinks), checks where it really is, and hands out paths through its descriptor. */
  private async pin(hostDir: string, vpath: string): Promise<PinnedDir> {
    const opening = this.callsFor(hostDir);
    const fd = await attempt(vpath, () => opening.open(hostDir, fsc.O_RDONLY | fsc.O_DIRECTORY));
    try {
      const real = PROC_FD ? fs.readlinkSync(`${PROC_FD}/${fd}`) : await opening.realpath(hostDir);
      this.assertInside(real, vpath);
      const calls = callsAt(real);
      const base = PROC_FD ? `${PROC_FD}/${fd}` : real;
      const listLane = calls.lane ?? (mounts().anyPooled ? (mounts().pooledChildOf(real)?.lane ?? null) : null);
      let open = true;
      return {
        fd,
        calls,
        listLane,
        at: (name) => `${base}/${name}`,
        // lstat through /proc costs twice what it costs by the real path (10,000 names: 55 against
        // 30 ms); a race here can show an outside file's metadata, never its content, as stat() can.
        lookAt: (name) => `${real}/${name}`,
        entryCalls: (name) => (calls.lane ? calls : callsAt(`${real}/${name}`)),
        release: () => {
          if (open) {
            open = false;
            if (calls.lane) closeQuietly({ fd, calls });
            else fs.closeSync(fd);
          }
        },
      };
    } catch (err) {
      closeQuietly({ fd, calls: opening });
      throw fromSystemError(err, vpath);
    }
  }

  /** The real path of an existing file or directory, following symlinks that stay inside the root. */
  private async resolveFollow(vpath: string): Promise<string> {
    const host = this.toHostPath(vpath);
    const calls = this.callsFor(host);
    const real = await attempt(vpath, () => calls.realpath(host));
    this.assertInside(real, vpath);
    return real;
  }

  /**
   * Where an upload goes, and what is there now: the entry in its pinned
   * parent, looked at with lstat. An existing symlink is followed only if it
   * stays inside the root, and then the upload goes beside its target; a
   * dangling one is replaced like a missing file.
   */
  private async entryForWrite(vpath: string): Promise<{ dir: PinnedDir; name: string; existing: Stats | null }> {
    if (vpath === '/') throw isADirectory(vpath);
    const dir = await this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    const name = baseName(vpath);
    try {
      const stats = (await dir.entryCalls(name).lstat(dir.at(name))) ?? null;
      if (!stats?.isSymbolicLink()) return { dir, name, existing: stats };
      let target: string;
      try {
        target = await this.resolveFollow(vpath);
      } catch (err) {
        if ((err as { code?: string }).code === 'NOT_FOUND') return { dir, name, existing: null };
        throw err;
      }
      const targetDir = await this.pin(path.dirname(target), vpath);
      dir.release();
      const targetName = path.basename(target);
      return { dir: targetDir, name: targetName, existing: await statIfAny(targetDir.entryCalls(targetName), targetDir.at(targetName)) };
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

  /** A link is listed as what it points to only when that stays inside the root; otherwise as a link. */
  private async linkInfo(vpath: string, link: FileInfo): Promise<FileInfo> {
    try {
      const real = await this.resolveFollow(vpath);
      return toFileInfo(link.name, await callsAt(real).stat(real));
    } catch {
      return link;
    }
  }

  private async openInPlace(vpath: string, dir: PinnedDir, name: string, offset: number | 'end'): Promise<Upload> {
    const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_NOFOLLOW | (offset === 'end' ? fsc.O_APPEND : 0);
    const entry = dir.at(name);
    const calls = dir.entryCalls(name);
    const fd = await calls.open(entry, flags, 0o666);
    let keepBytes: number;
    try {
      keepBytes = offset === 'end' ? (await calls.fstat(fd)).size : offset;
      // REST n + STOR: the file becomes its first n bytes followed by what the client sends.
      if (offset !== 'end') await calls.ftruncate(fd, offset);
    } catch (err) {
      closeQuietly({ fd, calls });
      throw err;
    }
    const stream = new FileSink(fd, vpath, offset === 'end' ? null : offset, calls.lane);
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
        if (!keepWritten) await truncateEntry(calls, entry, keepBytes);
        dir.release();
      },
    };
  }

  /** Writes a hidden temporary beside the target; commit renames it over the target, or links it only if the name is free. */
  private async openReplacement(vpath: string, dir: PinnedDir, name: string, existing: Stats | null, exclusive: boolean): Promise<Upload> {
    const { calls } = dir;
    const temp = dir.at(newTempName());
    const target = dir.at(name);
    const fd = await calls.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o666);
    const discard = async () => {
      try {
        await calls.unlink(temp);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    };
    // Replacing a file keeps its permissions, as an in-place overwrite would.
    if (existing) {
      try {
        await calls.fchmod(fd, existing.mode & 0o7777);
      } catch (err) {
        closeQuietly({ fd, calls });
        await discard().catch(() => undefined);
        throw err;
      }
    }
    const stream = new FileSink(fd, vpath, 0, calls.lane);
    return {
      stream,
      commit: async () => {
        try {
          await settle(stream, vpath);
          if (!exclusive) await calls.rename(temp, target);
          else {
            // link(2) fails with EEXIST where rename(2) would replace: a name taken meanwhile stays untouched.
            await calls.link(temp, target);
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

/** What is at `entry` (following a symlink), or null when nothing is. */
async function statIfAny(calls: SystemCalls, entry: string): Promise<Stats | null> {
  try {
    return await calls.stat(entry);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** truncate(2) follows symlinks; opening with O_NOFOLLOW first does not. Best effort: the upload failed anyway. */
async function truncateEntry(calls: SystemCalls, entry: string, length: number): Promise<void> {
  try {
    const fd = await calls.open(entry, fsc.O_WRONLY | fsc.O_NOFOLLOW);
    try {
      await calls.ftruncate(fd, length);
    } finally {
      await calls.close(fd);
    }
  } catch {
    // The file is gone or not ours to cut: nothing more to undo.
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
