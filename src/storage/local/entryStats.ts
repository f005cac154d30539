/**
 * A directory's entries with what lstat says of each, as FileInfo, a batch
 * at a time, through the directory's descriptor: natively, one
 * getdents64(2) and an fstatat(2) per name in libuv's thread pool
 * (native/sendfile.c, readdirStat), one batch ahead of the caller; or
 * inline with Node's opendir and an lstat of each name. The native reader
 * is what makes LIST of 10,000 entries cheap: from JavaScript the readdir
 * and the lstat of "/proc/self/fd/N/name" (procfs resolves the link every
 * time) cost 6-8 us an entry on the event loop.
 *
 * A directory on a mount that may not answer (mounts.ts), or one holding the
 * mount point of such a mount (its entry's stat asks that mount), is read
 * through that mount's lane (lanes.ts): the native batches wait for a thread
 * of the lane, and the JavaScript reader reads and stats in the pool.
 */
import * as fs from 'node:fs';
import { constants as fsc, type Stats } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { FileInfo, FileType } from '../../core/FileInfo.js';
import { addon, type Addon } from '../../native/addon.js';
import type { Lane } from './lanes.js';
import { pooled } from './systemCalls.js';

/** The layout of readdirStat's stats, per entry: mode (or -errno), size, mtime in ms, dev, ino. */
const FIELDS = 5;
/** Native batches read at once: two of libuv's four threads, beside this one, on a 2-core machine. */
const AHEAD = 2;
/**
 * Entries the JavaScript reader reads and stats in one go, inline (through the thread pool,
 * 10,000 lstat calls took 0.1-0.3 s): a batch blocks the event loop for well under a millisecond.
 */
const JS_BATCH = 256;

/** A directory to read: its descriptor (the caller's to close) and paths into it. */
export interface OpenedDir {
  readonly fd: number;
  /** A path for `name` inside this very directory; at('.') is the directory itself. */
  at(name: string): string;
  /** A path for `name` to look at (lstat) only, perhaps cheaper than at(name). */
  lookAt(name: string): string;
}

/** Reads a directory a batch at a time (a batch may be empty): null once it is all read. */
export interface EntryReader {
  next(): Promise<FileInfo[] | null>;
  close(): Promise<void>;
}

export function toFileInfo(name: string, stats: Stats): FileInfo {
  return infoOf(name, stats.mode, stats.size, stats.mtime, stats.dev, stats.ino);
}

/**
 * The entries of `dir`. Entries gone since readdir are left out; symlinks
 * come back as 'link', with the link's own stats. `native` is there for the
 * tests of both paths (null: JavaScript). With `lane`, every call is made in it.
 */
export async function readEntries(dir: OpenedDir, native = addon?.readdirStat ?? null, lane: Lane | null = null): Promise<EntryReader> {
  if (native) return nativeReader(dir, lane ? (fd) => lane.run(() => native(fd)) : native, lane);
  return lane ? pooledReader(dir, lane) : jsReader(dir);
}

function nativeReader(dir: OpenedDir, readdirStat: NonNullable<Addon['readdirStat']>, lane: Lane | null): EntryReader {
  // Batches in flight: the pool reads and stats them, two threads at once, while this thread
  // formats and sends the one before. getdents64 holds the descriptor's position lock, so
  // calls at once each get batches of their own; the listing's order is the directory's
  // arbitrary one either way.
  const inFlight: Array<ReturnType<typeof readdirStat>> = [];
  let ended = false;
  const fill = () => {
    while (!ended && inFlight.length < AHEAD) inFlight.push(readdirStat(dir.fd));
  };
  fill();
  return {
    async next() {
      for (let batch = inFlight.shift(); batch !== undefined; batch = inFlight.shift()) {
        const read = await batch;
        if (read === null) {
          // The end: what is still in flight finds the end too, or the last entries.
          ended = true;
          continue;
        }
        if (typeof read === 'number') {
          ended = true;
          throw systemError(read, 'getdents64');
        }
        fill();
        const [names, stats] = read;
        const infos: FileInfo[] = [];
        const failed: string[] = [];
        for (let i = 0; i < names.length; i++) {
          const o = i * FIELDS;
          if (stats[o] >= 0) infos.push(infoOf(names[i], stats[o], stats[o + 1], dateOf(stats[o + 2]), stats[o + 3], stats[o + 4]));
          // A failed stat (a name gone, or worse) is asked again in JavaScript, whose error the rest of storage maps.
          else failed.push(names[i]);
        }
        for (const name of failed) {
          if (lane === null) lstatInto(infos, dir, name);
          else {
            const again = await pooled(lane).lstat(dir.lookAt(name));
            if (again) infos.push(toFileInfo(name, again));
          }
        }
        return infos;
      }
      return null;
    },
    // The descriptor must outlive the reads in flight.
    async close() {
      ended = true;
      await Promise.all(inFlight.splice(0).map((read) => read.catch(() => undefined)));
    },
  };
}

async function jsReader(opened: OpenedDir): Promise<EntryReader> {
  const dir = await fs.promises.opendir(opened.at('.'), { bufferSize: JS_BATCH });
  let done = false;
  return {
    async next() {
      if (done) return null;
      // Inline, so let other sessions run between batches.
      await new Promise((resolve) => setImmediate(resolve));
      const infos: FileInfo[] = [];
      // readSync() hands out what one getdents call buffered: no promise per entry.
      for (let read = 0; read < JS_BATCH; read++) {
        const entry = dir.readSync();
        if (entry === null) {
          done = true;
          break;
        }
        lstatInto(infos, opened, entry.name);
      }
      return infos;
    },
    close: () => dir.close().catch(() => undefined),
  };
}

/** The JavaScript reader for a directory whose mount may not answer: Node's opendir, and an lstat of each name, all in the lane. */
async function pooledReader(opened: OpenedDir, lane: Lane): Promise<EntryReader> {
  const calls = pooled(lane);
  const dir = await lane.run(() => fs.promises.opendir(opened.at('.'), { bufferSize: JS_BATCH }));
  let done = false;
  return {
    async next() {
      if (done) return null;
      const infos: FileInfo[] = [];
      for (let read = 0; read < JS_BATCH; read++) {
        const entry = await lane.run(() => dir.read());
        if (entry === null) {
          done = true;
          break;
        }
        const stats = await calls.lstat(opened.lookAt(entry.name));
        if (stats) infos.push(toFileInfo(entry.name, stats));
      }
      return infos;
    },
    close: () => lane.run(() => dir.close()).catch(() => undefined),
  };
}

function lstatInto(infos: FileInfo[], dir: OpenedDir, name: string): void {
  const stats = fs.lstatSync(dir.lookAt(name), { throwIfNoEntry: false });
  if (stats) infos.push(toFileInfo(name, stats));
}

/** Node's shape of a system error (code, errno, syscall), from a negative errno. */
function systemError(errno: number, syscall: string): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`${code}: ${syscall} failed`), { code, errno, syscall });
}

/**
 * A Date of milliseconds with a fraction, rounded to the nearest as Node's fs.Stats rounds its dates
 * (`new Date` alone truncates): both paths must give an entry the same time, to the millisecond.
 */
function dateOf(ms: number): Date {
  return new Date(Math.round(ms));
}

function infoOf(name: string, mode: number, size: number, mtime: Date, dev: number, ino: number): FileInfo {
  return { name, type: fileType(mode), size, mtime, mode: mode & 0o7777, id: `${dev.toString(16)}g${ino.toString(16)}` };
}

function fileType(mode: number): FileType {
  switch (mode & fsc.S_IFMT) {
    case fsc.S_IFREG:
      return 'file';
    case fsc.S_IFDIR:
      return 'dir';
    case fsc.S_IFLNK:
      return 'link';
    default:
      return 'other';
  }
}
