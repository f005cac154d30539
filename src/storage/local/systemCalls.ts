/**
 * The system calls LocalStorage makes, two ways: INLINE (the synchronous
 * calls, on the event loop) for the mounts that answer, or through the thread
 * pool in a mount's lane (lanes.ts) for the mounts that may not (mounts.ts
 * says which). LocalStorage awaits either alike: an inline call's value is
 * there at once, and awaiting it costs a microtask (6 awaits, 0.3 us here),
 * not a trip to the pool.
 *
 * callsTo() picks the way for a path. A path's name says which mounts it
 * passes only if no symlink on it leads elsewhere, and a symlink inside a
 * served directory may point into a network mount (refused afterwards if
 * outside the root, but reached while resolving it). So where some mount is
 * pooled, a path whose name passes none is asked whether it has a symlink on
 * it (the addon's noSymlinks: one openat2 with RESOLVE_NO_SYMLINKS, 1.6 us
 * here); if it has (or without the addon), it is resolved here one component
 * at a time, as realpath does, with an lstat of each (3-5 us each) and the
 * mount of each looked up before it is touched. The first pooled mount met
 * sends the call to its lane; only a path that stays on inline mounts is
 * called inline. Where no mount is pooled (a machine of local disks only)
 * nothing is looked at.
 */
import * as fs from 'node:fs';
import type { Stats } from 'node:fs';
import { constants } from 'node:os';
import * as path from 'node:path';
import { addon } from '../../native/addon.js';
import type { Lane } from './lanes.js';
import { mounts, type MountTable } from './mounts.js';

/** A value now (inline) or later (from the pool). */
export type Result<T> = T | Promise<T>;

export interface SystemCalls {
  /** The lane these calls take, or null for inline calls. */
  readonly lane: Lane | null;
  open(path: string, flags: number, mode?: number): Result<number>;
  close(fd: number): Result<void>;
  fstat(fd: number): Result<Stats>;
  /** Throws ENOENT when nothing is there, as statSync does. */
  stat(path: string): Result<Stats>;
  /** undefined when nothing is there. */
  lstat(path: string): Result<Stats | undefined>;
  realpath(path: string): Result<string>;
  rename(from: string, to: string): Result<void>;
  link(existing: string, name: string): Result<void>;
  unlink(path: string): Result<void>;
  mkdir(path: string): Result<void>;
  rmdir(path: string): Result<void>;
  fchmod(fd: number, mode: number): Result<void>;
  futimes(fd: number, time: Date): Result<void>;
  ftruncate(fd: number, length: number): Result<void>;
}

export const INLINE: SystemCalls = {
  lane: null,
  open: (p, flags, mode) => fs.openSync(p, flags, mode),
  close: (fd) => fs.closeSync(fd),
  fstat: (fd) => fs.fstatSync(fd),
  stat: (p) => fs.statSync(p),
  lstat: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
  // realpath(3): Node's JavaScript realpathSync lstats every component from "/" (a stat of
  // /a/b.txt: 15-17 us, against 9.5-10.5 with this), and gives the same answer.
  realpath: (p) => fs.realpathSync.native(p),
  rename: (from, to) => fs.renameSync(from, to),
  link: (existing, name) => fs.linkSync(existing, name),
  unlink: (p) => fs.unlinkSync(p),
  mkdir: (p) => fs.mkdirSync(p),
  rmdir: (p) => fs.rmdirSync(p),
  fchmod: (fd, mode) => fs.fchmodSync(fd, mode),
  futimes: (fd, time) => fs.futimesSync(fd, time, time),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
};

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;

/** One call into the pool, in `lane`. */
export function inLane<T>(lane: Lane, start: (done: Callback<T>) => void): Promise<T> {
  return lane.run(() => new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value)))));
}

const pooledByLane = new WeakMap<Lane, SystemCalls>();

/** The calls through `lane`'s share of the pool. */
export function pooled(lane: Lane): SystemCalls {
  let calls = pooledByLane.get(lane);
  if (calls) return calls;
  const done = (start: (cb: (err: NodeJS.ErrnoException | null) => void) => void) => inLane<void>(lane, (cb) => start((err) => cb(err, undefined)));
  calls = {
    lane,
    open: (p, flags, mode) => inLane<number>(lane, (cb) => fs.open(p, flags, mode, cb)),
    close: (fd) => done((cb) => fs.close(fd, cb)),
    fstat: (fd) => inLane<Stats>(lane, (cb) => fs.fstat(fd, cb)),
    stat: (p) => inLane<Stats>(lane, (cb) => fs.stat(p, cb)),
    lstat: (p) => inLane<Stats | undefined>(lane, (cb) => fs.lstat(p, (err, stats) => (err?.code === 'ENOENT' ? cb(null, undefined) : cb(err, stats)))),
    // realpath(3) in one trip to the pool; fs.realpath would make one per component.
    realpath: (p) => inLane<string>(lane, (cb) => fs.realpath.native(p, cb)),
    rename: (from, to) => done((cb) => fs.rename(from, to, cb)),
    link: (existing, name) => done((cb) => fs.link(existing, name, cb)),
    unlink: (p) => done((cb) => fs.unlink(p, cb)),
    mkdir: (p) => done((cb) => fs.mkdir(p, cb)),
    rmdir: (p) => done((cb) => fs.rmdir(p, cb)),
    fchmod: (fd, mode) => done((cb) => fs.fchmod(fd, mode, cb)),
    futimes: (fd, time) => done((cb) => fs.futimes(fd, time, time, cb)),
    ftruncate: (fd, length) => done((cb) => fs.ftruncate(fd, length, cb)),
  };
  pooledByLane.set(lane, calls);
  return calls;
}

/** The calls for a path that names its mount (no symlink on it is followed): a pinned directory's entry, a resolved path. */
export function callsAt(hostPath: string): SystemCalls {
  const table = mounts();
  if (!table.anyPooled) return INLINE;
  const lane = table.laneOnPath(hostPath);
  return lane ? pooled(lane) : INLINE;
}

/** Symlinks followed before giving up, as the kernel's ELOOP (40). */
const MAX_LINKS = 40;

/** What the addon's noSymlinks() answers that says a path may be called inline: no symlink, or a failure before any. */
const FAILED_BEFORE_A_LINK = new Set([1, -constants.errno.ENOENT, -constants.errno.ENOTDIR, -constants.errno.EACCES]);

/**
 * The calls for `hostPath`, whose symlinks will be followed, and which lies
 * at or under `realDir`, a directory known to have no symlinks on its path
 * (a storage's root, resolved when it was opened; "/" for anything).
 */
export function callsTo(hostPath: string, realDir: string): SystemCalls {
  const table = mounts();
  if (!table.anyPooled) return INLINE;
  let lane = table.laneOnPath(hostPath);
  // The name passes no pooled mount; with no symlink on it either (one system call), it stays inline.
  if (lane === null && !(addon?.noSymlinks && FAILED_BEFORE_A_LINK.has(addon.noSymlinks(hostPath)))) lane = pooledOnTheWay(table, hostPath, realDir);
  return lane ? pooled(lane) : INLINE;
}

/**
 * The lane of the first pooled mount that resolving `hostPath` reaches, or
 * null when it stays on inline mounts (or fails on one: the call fails the
 * same way inline). Each component is looked up in the table before its
 * lstat, so no pooled mount is touched here.
 */
function pooledOnTheWay(table: MountTable, hostPath: string, realDir: string): Lane | null {
  let done = realDir;
  let rest = componentsAfter(hostPath, realDir);
  for (let links = 0; rest.length > 0;) {
    const next = done === '/' ? `/${rest[0]}` : `${done}/${rest[0]}`;
    const lane = table.laneAt(next);
    if (lane) return lane;
    let target: string;
    try {
      const stats = fs.lstatSync(next, { throwIfNoEntry: false });
      if (!stats?.isSymbolicLink()) {
        if (!stats) return null;
        done = next;
        rest = rest.slice(1);
        continue;
      }
      if (++links > MAX_LINKS) return null;
      target = path.resolve(done, fs.readlinkSync(next), ...rest.slice(1));
    } catch {
      return null;
    }
    // Resolved again from the storage's root if the link stays under it, else from "/", whose own mount is looked up first.
    done = target === realDir || target.startsWith(realDir === '/' ? '/' : `${realDir}/`) ? realDir : '/';
    rest = componentsAfter(target, done);
    const here = table.laneOnPath(done);
    if (here) return here;
  }
  return null;
}

/** The names of `full` below `dir` (which it starts with). */
function componentsAfter(full: string, dir: string): string[] {
  const tail = full.slice(dir === '/' ? 1 : dir.length + 1);
  return tail === '' ? [] : tail.split('/');
}
