/**
 * The optional native addon (native/sendfile.c, built at install time when a
 * C compiler is present; SOCKFTP_NO_NATIVE=1 turns it off at run time), or
 * null. Every user of it has a JavaScript path that behaves the same: the
 * addon only makes things cheaper. Loaded once, here, for the send path
 * (ftp/zeroCopy.ts), directory listings (storage/local/entryStats.ts), and the
 * mount table's change notice and paths' symlinks (storage/local/mounts.ts,
 * storage/local/systemCalls.ts).
 */
import { createRequire } from 'node:module';

export interface Addon {
  sendfile(socketFd: number, fileFd: number, offset: number, count: number): number;
  nonblock(fd: number): number;
  /** Absent from a build older than it. */
  sndbuf?(fd: number, bytes: number): number;
  /** Absent from a build older than it. */
  fixMmapThreshold?(bytes: number): number;
  /** Absent from a build older than it. The next entries' names and stats, null at the end, or a negative errno (see native/sendfile.c). */
  readdirStat?: (dirFd: number) => Promise<[names: string[], stats: Float64Array] | null | number>;
  /** Absent from a build older than it. 1 if the mounts changed since the last call on `mountInfoFd` (an open /proc/self/mountinfo), 0 if not, or a negative errno. */
  mountsChanged?(mountInfoFd: number): number;
  /** Absent from a build older than it. 1 if `path` resolves with no symlink on it, 0 if one is, or a negative errno (see native/sendfile.c). */
  noSymlinks?(path: string): number;
}

function load(): Addon | null {
  if (process.env.SOCKFTP_NO_NATIVE === '1' || process.platform !== 'linux') return null;
  try {
    // dist/src/native/ -> the repository's native/build/.
    return createRequire(import.meta.url)('../../../native/build/sendfile.node') as Addon;
  } catch {
    return null;
  }
}

export const addon = load();

// glibc's dynamic mmap threshold otherwise keeps scrypt's 16 MiB per login in every thread-pool
// thread (64 MiB of 200 idle sessions' 66 MiB; native/sendfile.c says why). Blocks of 4 MiB and
// more go back at free().
addon?.fixMmapThreshold?.(4 * 1024 * 1024);
