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
 * which make them inline too. The cost is that a disk stalled on metadata
 * stalls every session, as it does pyftpdlib's. Listings are the exception
 * where the addon is built: their thousands of lstat calls go to the pool
 * in batches, ahead of the formatting (entryStats.ts).
 */
import * as fs from 'node:fs';
import { constants as fsc, type Stats } from 'node:fs';
import * as path from 'node:path';
import { isADirectory, notADirectory, outsideRoot, permissionDenied } from '../core/errors.js';
import { baseName, joinVirtual, parentOf } from '../core/virtualPath.js';
import { readEntries, toFileInfo, type OpenedDir } from './entryStats.js';
import { FILE_CHUNK_BYTES, FileSink, FileSource } from './fileStreams.js';
import type { FileInfo } from '../core/FileInfo.js';
import type { ChunkReader, FileStream, Storage, Upload, WriteMode } from '../core/Storage.js';
import { fromSystemError } from './systemErrors.js';
import { isTempName, newTempName } from './temporaries.js';

/** Linux's view of this process's descriptors, if there is one. */
const PROC_FD = fs.existsSync('/proc/self/fd') ? '/proc/self/fd' : null;

/** A directory opened once and then used through its descriptor, so no component of its path can be swapped under an operation. */
interface PinnedDir extends OpenedDir {
  /** A path for `name` inside this very directory, whatever happens to the directory's own path. */
  at(name: string): string;
  release(): void;
}

/** Runs a system call and turns its failure into the FileError kind for `vpath`. */
function attempt<T>(vpath: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromSystemError(err, vpath);
  }
}

export class LocalStorage implements Storage {
  readonly kind = 'local';

  private constructor(private readonly root: string) {}

  /** `root` must be an existing directory; it is resolved to its real path once. */
  static async open(root: string): Promise<LocalStorage> {
    const real = await fs.promises.realpath(root);
    if (!(await fs.promises.stat(real)).isDirectory()) throw notADirectory(root);
    return new LocalStorage(real);
  }

  /** Metadata only, checked by real path: a race here can reveal an outside file's size or time, never its content. */
  async stat(vpath: string): Promise<FileInfo> {
    const real = this.resolveFollow(vpath);
    return toFileInfo(
      baseName(vpath),
      attempt(vpath, () => fs.statSync(real)),
    );
  }

  async *list(vpath: string): AsyncIterable<FileInfo[]> {
    const pinned = this.pin(this.toHostPath(vpath), vpath);
    let entries;
    try {
      entries = await readEntries(pinned);
    } catch (err) {
      pinned.release();
      throw fromSystemError(err, vpath);
    }
    try {
      for (let batch = await entries.next(); batch !== null; batch = await entries.next()) {
        const infos = batch
          .filter((info) => !isTempName(info.name))
          .map((info) => (info.type === 'link' ? this.linkInfo(joinVirtual(vpath, info.name), info) : info));
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

  private openSource(vpath: string, start: number, chunkBytes: number): FileSource {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for regular files.
    const fd = this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      const stats = fs.fstatSync(fd);
      if (!stats.isFile()) throw stats.isDirectory() ? isADirectory(vpath) : permissionDenied(vpath);
      return new FileSource(fd, vpath, start, stats.size, chunkBytes);
    } catch (err) {
      fs.closeSync(fd);
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
  private withEntryForWrite(vpath: string, open: (dir: PinnedDir, name: string, existing: Stats | null) => Upload): Upload {
    const { dir, name, existing } = this.entryForWrite(vpath);
    try {
      if (existing?.isDirectory()) throw isADirectory(vpath);
      return open(dir, name, existing);
    } catch (err) {
      dir.release();
      throw fromSystemError(err, vpath);
    }
  }

  async mkdir(vpath: string): Promise<void> {
    this.atEntry(vpath, (entry) => fs.mkdirSync(entry));
  }

  async rmdir(vpath: string): Promise<void> {
    if (vpath === '/') throw permissionDenied(vpath);
    this.atEntry(vpath, (entry) => fs.rmdirSync(entry));
  }

  async delete(vpath: string): Promise<void> {
    this.atEntry(vpath, (entry) => {
      if (fs.lstatSync(entry).isDirectory()) throw isADirectory(vpath);
      fs.unlinkSync(entry);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === '/' || to === '/') throw permissionDenied('/');
    const source = this.pin(this.toHostPath(parentOf(from)), from);
    try {
      const target = this.pin(this.toHostPath(parentOf(to)), to);
      try {
        const fromEntry = source.at(baseName(from));
        attempt(from, () => fs.lstatSync(fromEntry));
        attempt(to, () => fs.renameSync(fromEntry, target.at(baseName(to))));
      } finally {
        target.release();
      }
    } finally {
      source.release();
    }
  }

  async setModifiedTime(vpath: string, time: Date): Promise<void> {
    this.withOpened(vpath, (fd) => fs.futimesSync(fd, time, time));
  }

  async chmod(vpath: string, mode: number): Promise<void> {
    this.withOpened(vpath, (fd) => fs.fchmodSync(fd, mode & 0o7777));
  }

  /** Opens `vpath` following symlinks, then refuses it unless what was opened is under the root. */
  private openChecked(vpath: string, flags: number): number {
    const host = this.toHostPath(vpath);
    const fd = attempt(vpath, () => fs.openSync(host, flags));
    try {
      this.assertInside(PROC_FD ? fs.readlinkSync(`${PROC_FD}/${fd}`) : fs.realpathSync(host), vpath);
      return fd;
    } catch (err) {
      fs.closeSync(fd);
      throw fromSystemError(err, vpath);
    }
  }

  private withOpened(vpath: string, act: (fd: number) => void): void {
    const fd = this.openChecked(vpath, fsc.O_RDONLY | fsc.O_NONBLOCK);
    try {
      attempt(vpath, () => act(fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Runs `act` on a path for the entry `vpath` names, reached through its pinned parent. */
  private atEntry(vpath: string, act: (entry: string) => void): void {
    const dir = this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    try {
      attempt(vpath, () => act(dir.at(baseName(vpath))));
    } finally {
      dir.release();
    }
  }

  /** Opens a directory (following symlinks), checks where it really is, and hands out paths through its descriptor. */
  private pin(hostDir: string, vpath: string): PinnedDir {
    const fd = attempt(vpath, () => fs.openSync(hostDir, fsc.O_RDONLY | fsc.O_DIRECTORY));
    try {
      const real = PROC_FD ? fs.readlinkSync(`${PROC_FD}/${fd}`) : fs.realpathSync(hostDir);
      this.assertInside(real, vpath);
      const base = PROC_FD ? `${PROC_FD}/${fd}` : real;
      let open = true;
      return {
        fd,
        at: (name) => `${base}/${name}`,
        // lstat through /proc costs twice what it costs by the real path (10,000 names: 55 against
        // 30 ms); a race here can show an outside file's metadata, never its content, as stat() can.
        lookAt: (name) => `${real}/${name}`,
        release: () => {
          if (open) fs.closeSync(fd);
          open = false;
        },
      };
    } catch (err) {
      fs.closeSync(fd);
      throw fromSystemError(err, vpath);
    }
  }

  /** The real path of an existing file or directory, following symlinks that stay inside the root. */
  private resolveFollow(vpath: string): string {
    const real = attempt(vpath, () => fs.realpathSync(this.toHostPath(vpath)));
    this.assertInside(real, vpath);
    return real;
  }

  /**
   * Where an upload goes, and what is there now: the entry in its pinned
   * parent, looked at with lstat. An existing symlink is followed only if it
   * stays inside the root, and then the upload goes beside its target; a
   * dangling one is replaced like a missing file.
   */
  private entryForWrite(vpath: string): { dir: PinnedDir; name: string; existing: Stats | null } {
    if (vpath === '/') throw isADirectory(vpath);
    const dir = this.pin(this.toHostPath(parentOf(vpath)), parentOf(vpath));
    const name = baseName(vpath);
    try {
      const stats = fs.lstatSync(dir.at(name), { throwIfNoEntry: false }) ?? null;
      if (!stats?.isSymbolicLink()) return { dir, name, existing: stats };
      let target: string;
      try {
        target = this.resolveFollow(vpath);
      } catch (err) {
        if ((err as { code?: string }).code === 'NOT_FOUND') return { dir, name, existing: null };
        throw err;
      }
      const targetDir = this.pin(path.dirname(target), vpath);
      dir.release();
      const targetName = path.basename(target);
      return { dir: targetDir, name: targetName, existing: fs.statSync(targetDir.at(targetName), { throwIfNoEntry: false }) ?? null };
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
  private linkInfo(vpath: string, link: FileInfo): FileInfo {
    try {
      return toFileInfo(link.name, fs.statSync(this.resolveFollow(vpath)));
    } catch {
      return link;
    }
  }

  private openInPlace(vpath: string, dir: PinnedDir, name: string, offset: number | 'end'): Upload {
    const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_NOFOLLOW | (offset === 'end' ? fsc.O_APPEND : 0);
    const entry = dir.at(name);
    const fd = fs.openSync(entry, flags, 0o666);
    let keepBytes: number;
    try {
      keepBytes = offset === 'end' ? fs.fstatSync(fd).size : offset;
      // REST n + STOR: the file becomes its first n bytes followed by what the client sends.
      if (offset !== 'end') fs.ftruncateSync(fd, offset);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    const stream = new FileSink(fd, vpath, offset === 'end' ? null : offset);
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
        if (!keepWritten) truncateEntry(entry, keepBytes);
        dir.release();
      },
    };
  }

  /** Writes a hidden temporary beside the target; commit renames it over the target, or links it only if the name is free. */
  private openReplacement(vpath: string, dir: PinnedDir, name: string, existing: Stats | null, exclusive: boolean): Upload {
    const temp = dir.at(newTempName());
    const target = dir.at(name);
    const fd = fs.openSync(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o666);
    // Replacing a file keeps its permissions, as an in-place overwrite would.
    if (existing) attempt(vpath, () => fs.fchmodSync(fd, existing.mode & 0o7777));
    const stream = new FileSink(fd, vpath, 0);
    const discard = () => fs.rmSync(temp, { force: true });
    return {
      stream,
      commit: async () => {
        try {
          await settle(stream, vpath);
          if (!exclusive) fs.renameSync(temp, target);
          else {
            // link(2) fails with EEXIST where rename(2) would replace: a name taken meanwhile stays untouched.
            fs.linkSync(temp, target);
            discard();
          }
        } catch (err) {
          discard();
          throw fromSystemError(err, vpath);
        } finally {
          dir.release();
        }
      },
      abort: async () => {
        stream.destroy();
        await settle(stream, vpath).catch(() => undefined);
        discard();
        dir.release();
      },
    };
  }
}

/** truncate(2) follows symlinks; opening with O_NOFOLLOW first does not. Best effort: the upload failed anyway. */
function truncateEntry(entry: string, length: number): void {
  try {
    const fd = fs.openSync(entry, fsc.O_WRONLY | fsc.O_NOFOLLOW);
    try {
      fs.ftruncateSync(fd, length);
    } finally {
      fs.closeSync(fd);
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
