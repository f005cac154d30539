/**
 * Which filesystem a path is on, and so whether LocalStorage may call into it
 * on the event loop.
 *
 * Inline system calls are what make small files and listings fast here (see
 * LocalStorage.ts), and a call into a filesystem that stops answering, made
 * inline, stops the event loop and with it every session of every door. The
 * filesystems of a local disk or of memory answer, slowly at worst; a network
 * filesystem (NFS, CIFS, ceph...) waits for its server and a FUSE filesystem
 * for its daemon, for as long as they take: a hard NFS mount retries forever.
 * So the types in INLINE_TYPES are called inline, and every other type (fuse,
 * fuse.*, fuseblk, nfs, nfs4, cifs, smb3, 9p, ceph, glusterfs, virtiofs,
 * autofs, and whatever this list does not know) through the thread pool, in
 * the mount's own lane (lanes.ts).
 *
 * The table comes from /proc/self/mountinfo, which the kernel writes from its
 * own mount list without asking any filesystem: reading it never blocks, even
 * with a mount hung (checked on a stalled FUSE mount). It is read again when
 * the kernel says the mounts changed (POLLPRI on the open file, asked through
 * the native addon at most every POLL_EVERY_MS), or, without the addon, when
 * the copy is over MAX_AGE_MS old: a mount made under a served directory is
 * called inline for at most that long. Without /proc there is no table, and
 * every call is made inline, as before.
 *
 * No watchdog moves a mount of an inline type to the pool after a slow call:
 * it could not bring back a call already hung inline, which is when the event
 * loop is lost; a local disk that answers slowly is met already where it
 * costs most, for file data (fileStreams.ts sends reads and writes to the
 * pool after a slow one); and timing every inline call would take two clock
 * reads a call (0.1-0.6 us each here, against 10 us for a whole stat).
 */
import * as fs from 'node:fs';
import { addon } from '../../native/addon.js';
import { Lane } from './lanes.js';

/**
 * Filesystems of local block devices and of memory, and the kernel's own:
 * their calls are made inline. Anything else may wait on a network or a
 * process, and goes through the pool.
 */
const INLINE_TYPES = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'bcachefs',
  'zfs',
  'f2fs',
  'jfs',
  'reiserfs',
  'nilfs2',
  'vfat',
  'msdos',
  'exfat',
  'ntfs3',
  'hfs',
  'hfsplus',
  'udf',
  'iso9660',
  'squashfs',
  'erofs',
  'tmpfs',
  'ramfs',
  'overlay',
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'mqueue',
  'hugetlbfs',
  'cgroup',
  'cgroup2',
  'securityfs',
  'debugfs',
  'tracefs',
  'configfs',
  'pstore',
  'bpf',
  'efivarfs',
  'binfmt_misc',
  'fusectl',
  'nsfs',
  'rpc_pipefs',
  'selinuxfs',
]);

/** How often the addon is asked whether the mounts changed (a poll of ~1.5 us on these machines, so not on every call). */
const POLL_EVERY_MS = 100;
/** How old a table may get where the addon cannot say (reading and parsing it: ~80 us here). */
const MAX_AGE_MS = 1_000;

export interface Mount {
  /** Where it is mounted, as the kernel shows it from this process's root. */
  readonly point: string;
  /** The filesystem type: "ext4", "nfs4", "fuse.sshfs"... */
  readonly type: string;
  /** Null: calls into it are made inline. Otherwise the lane its calls take through the thread pool. */
  readonly lane: Lane | null;
}

/** One line of /proc/self/mountinfo: what this file needs of it. */
export interface MountLine {
  readonly id: number;
  readonly point: string;
  readonly type: string;
}

/** The mounts of /proc/self/mountinfo text (proc(5)), in its order: a later mount on the same point hides an earlier one. */
export function parseMountInfo(text: string): MountLine[] {
  const lines: MountLine[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    // ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || dash + 1 >= fields.length) continue;
    lines.push({ id: Number(fields[0]), point: unescapeOctal(fields[4]), type: fields[dash + 1] });
  }
  return lines;
}

/** mountinfo writes a space, tab, newline and backslash in a path as \040, \011, \012 and \134. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function isInlineType(type: string): boolean {
  return INLINE_TYPES.has(type);
}

export class MountTable {
  /** True when some mount is not called inline: only then must a path be looked at more closely. */
  readonly anyPooled: boolean;
  /** The lanes of this table's pooled mounts, by mount ID. */
  readonly lanes: Map<number, Lane>;
  /** Each mount point with the mount on top there. */
  private readonly byPoint = new Map<string, Mount>();
  /** Directories in which a pooled mount has its point: listing one stats that point. */
  private readonly pooledParents = new Map<string, Mount>();
  /** The pooled mounts on top at their points, the deepest first. */
  private readonly pooledMounts: Array<Mount & { readonly lane: Lane }> = [];

  /** `lanes` carries each pooled mount's lane over from the table before, by mount ID, so its calls stay counted. */
  constructor(lines: readonly MountLine[], lanes = new Map<number, Lane>()) {
    this.lanes = new Map();
    for (const line of lines) {
      let lane: Lane | null = null;
      if (!isInlineType(line.type)) {
        lane = lanes.get(line.id) ?? new Lane(`${line.type} on ${line.point}`);
        this.lanes.set(line.id, lane);
      }
      this.byPoint.set(line.point, { point: line.point, type: line.type, lane });
    }
    for (const mount of this.byPoint.values()) {
      if (!mount.lane) continue;
      this.pooledMounts.push({ ...mount, lane: mount.lane });
      if (mount.point !== '/') this.pooledParents.set(parentDir(mount.point), mount);
    }
    this.pooledMounts.sort((a, b) => b.point.length - a.point.length);
    this.anyPooled = this.lanes.size > 0;
  }

  /**
   * The mount `path` (absolute, normalised, no symlinks in it) is on, by its
   * name alone: the longest mount point it starts with, looked up one
   * directory up at a time (hosts with thousands of mounts exist).
   */
  mountOf(path: string): Mount | null {
    for (let prefix = path; ; prefix = parentDir(prefix)) {
      const mount = this.byPoint.get(prefix);
      if (mount) return mount;
      if (prefix === '/') return null;
    }
  }

  /**
   * The lane of a pooled mount that `path` passes through, by its name: at
   * its end or anywhere before (a lookup in a network filesystem may ask its
   * server, on the way to a local mount inside it too), or null.
   */
  laneOnPath(path: string): Lane | null {
    // A scan of the pooled mounts, a few on most machines: 0.1 us where taking the path apart cost 2.7.
    for (const mount of this.pooledMounts) {
      const { point } = mount;
      if (point === '/' || path === point || (path.startsWith(point) && path.charCodeAt(point.length) === 0x2f)) return mount.lane;
    }
    return null;
  }

  /** The lane of the pooled mount mounted exactly at `path`, or null. */
  laneAt(path: string): Lane | null {
    return this.byPoint.get(path)?.lane ?? null;
  }

  /** A pooled mount whose point is an entry of directory `dir`, if there is one. */
  pooledChildOf(dir: string): Mount | null {
    return this.pooledParents.get(dir) ?? null;
  }
}

function parentDir(point: string): string {
  const slash = point.lastIndexOf('/');
  return slash <= 0 ? '/' : point.slice(0, slash);
}

const MOUNTINFO = '/proc/self/mountinfo';

/** The open mountinfo the addon polls for changes, or null (no addon, or no /proc). */
const watched = addon?.mountsChanged ? openWatched() : null;
let table = readTable(new Map());
let readAt = performance.now();
/** Set while the table was looked at less than POLL_EVERY_MS ago: a flag is cheaper to ask than the clock (0.1-0.6 us here). */
let fresh = false;

function openWatched(): number | null {
  try {
    return fs.openSync(MOUNTINFO, 'r');
  } catch {
    return null;
  }
}

function readTable(lanes: Map<number, Lane>): MountTable {
  try {
    return new MountTable(parseMountInfo(fs.readFileSync(MOUNTINFO, 'utf8')), lanes);
  } catch {
    return new MountTable([]);
  }
}

/**
 * The mount table as it is now, give or take POLL_EVERY_MS: read again once
 * the kernel says it changed, or without the addon (or if its poll fails)
 * once it is MAX_AGE_MS old. A server that asks nothing checks nothing.
 */
export function mounts(): MountTable {
  if (fresh) return table;
  fresh = true;
  setTimeout(() => (fresh = false), POLL_EVERY_MS).unref();
  const notice = watched !== null ? addon!.mountsChanged!(watched) : -1;
  const now = performance.now();
  if (notice > 0 || (notice < 0 && now - readAt > MAX_AGE_MS)) {
    table = readTable(table.lanes);
    readAt = now;
  }
  return table;
}
