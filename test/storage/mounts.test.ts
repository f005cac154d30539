/**
 * Which mounts LocalStorage calls into inline, read from mountinfo text as
 * the kernel writes it, and the lanes that bound how many pool threads the
 * calls into the others may hold. The real stalled mount is in
 * test/faults/stalledDisk.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANE_THREADS, Lane, THREADS_PER_MOUNT } from '../../src/storage/local/lanes.js';
import { MountTable, isInlineType, mounts, parseMountInfo } from '../../src/storage/local/mounts.js';

const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '40 27 0:40 / /srv/ftp rw,relatime shared:1 - xfs /dev/sdb1 rw',
  '41 40 0:41 / /srv/ftp/archive rw,relatime shared:2 master:1 - nfs4 server:/export rw,vers=4.2',
  '42 40 0:42 / /srv/ftp/my\\040photos rw,nosuid - fuse.sshfs me@host:/photos rw,user_id=0',
  '43 41 0:43 / /srv/ftp/archive/cache rw - tmpfs tmpfs rw',
  // Mounted again on the same point: the later one is on top.
  '44 40 0:44 / /srv/ftp/stack rw - ext4 /dev/sdc1 rw',
  '45 40 0:45 / /srv/ftp/stack rw - fuse stallfs rw',
].join('\n');

describe('the mount table', () => {
  const table = new MountTable(parseMountInfo(MOUNTINFO));

  it('reads mountinfo lines, optional fields and escaped names included', () => {
    const lines = parseMountInfo(MOUNTINFO);
    assert.deepEqual(
      lines.map((l) => [l.id, l.point, l.type]),
      [
        [22, '/proc', 'proc'],
        [27, '/', 'ext4'],
        [40, '/srv/ftp', 'xfs'],
        [41, '/srv/ftp/archive', 'nfs4'],
        [42, '/srv/ftp/my photos', 'fuse.sshfs'],
        [43, '/srv/ftp/archive/cache', 'tmpfs'],
        [44, '/srv/ftp/stack', 'ext4'],
        [45, '/srv/ftp/stack', 'fuse'],
      ],
    );
  });

  it('calls local disks and memory inline, and network, FUSE and unknown filesystems through the pool', () => {
    for (const type of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'zfs', 'proc']) assert.equal(isInlineType(type), true, type);
    for (const type of ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'ceph', 'fuse', 'fuse.sshfs', 'fuseblk', 'virtiofs', 'autofs', 'newfs']) {
      assert.equal(isInlineType(type), false, type);
    }
  });

  it('puts a path on the longest mount point it starts with, by whole names', () => {
    const on = (p: string) => table.mountOf(p)?.type;
    assert.equal(on('/srv/ftp/readme.txt'), 'xfs');
    assert.equal(on('/srv/ftp/archive'), 'nfs4');
    assert.equal(on('/srv/ftp/archive/2024/a.bin'), 'nfs4');
    assert.equal(on('/srv/ftp/archive/cache/x'), 'tmpfs');
    assert.equal(on('/srv/ftp/archive2/x'), 'xfs');
    assert.equal(on('/srv/ftp/my photos/cat.jpg'), 'fuse.sshfs');
    assert.equal(on('/srv/ftp/stack/x'), 'fuse');
    assert.equal(on('/etc/passwd'), 'ext4');
    assert.equal(table.mountOf('/srv/ftp/archive/x')?.lane, table.mountOf('/srv/ftp/archive')?.lane);
    assert.equal(table.mountOf('/srv/ftp/x')?.lane, null);
  });

  it('knows the directories whose listing stats a pooled mount point', () => {
    assert.notEqual(table.pooledChildOf('/srv/ftp'), null);
    assert.equal(table.pooledChildOf('/srv/ftp/archive'), null);
    assert.equal(table.pooledChildOf('/srv'), null);
  });

  it('keeps a mount its lane when the table is read again, and says whether any mount is pooled', () => {
    const again = new MountTable(parseMountInfo(MOUNTINFO), table.lanes);
    assert.equal(again.mountOf('/srv/ftp/archive')?.lane, table.mountOf('/srv/ftp/archive')?.lane);
    assert.equal(table.anyPooled, true);
    assert.equal(new MountTable(parseMountInfo(MOUNTINFO.split('\n').slice(0, 3).join('\n'))).anyPooled, false);
  });

  it("reads this process's own table", () => {
    assert.equal(mounts().mountOf('/proc/self')?.type, 'proc');
  });
});

/** A call that holds its thread until the test lets it go, and says when it started. */
function heldCall(started: string[], name: string): { run: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

/** Lets every callback and promise settled so far run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The figures below are those of libuv's default pool. */
const DEFAULT_POOL = process.env.UV_THREADPOOL_SIZE === undefined ? false : 'UV_THREADPOOL_SIZE is set';

describe('lanes', () => {
  it('are sized from the pool the process started with: half of it, and half of that per mount', { skip: DEFAULT_POOL }, () => {
    assert.equal(LANE_THREADS, 2);
    assert.equal(THREADS_PER_MOUNT, 1);
  });

  it('run one mount’s calls a thread at a time, in order, and the next when one finishes', async () => {
    const lane = new Lane('one');
    const started: string[] = [];
    const calls = ['a', 'b', 'c'].map((n) => heldCall(started, n));
    const results = calls.map((c) => lane.run(c.run));
    await settled();
    assert.deepEqual(started, ['a']);
    assert.equal(lane.waiting, 2);
    calls[0].finish();
    await settled();
    assert.deepEqual(started, ['a', 'b']);
    calls[1].finish();
    calls[2].finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
  });

  it('give a mount that waits for the shared budget the next thread before the mount that had it', { skip: DEFAULT_POOL }, async () => {
    const [first, second, third] = [new Lane('first'), new Lane('second'), new Lane('third')];
    const started: string[] = [];
    const a1 = heldCall(started, 'first-1');
    const a2 = heldCall(started, 'first-2');
    const b = heldCall(started, 'second');
    const c = heldCall(started, 'third');
    const all = [first.run(a1.run), first.run(a2.run), second.run(b.run), third.run(c.run)];
    await settled();
    // Two threads in all: the first and second mounts hold them, the third waits.
    assert.deepEqual(started, ['first-1', 'second']);
    a1.finish();
    await settled();
    assert.deepEqual(started, ['first-1', 'second', 'third']);
    b.finish();
    await settled();
    assert.deepEqual(started, ['first-1', 'second', 'third', 'first-2']);
    a2.finish();
    c.finish();
    await Promise.all(all);
  });

  it('free the thread of a call that fails, and pass the failure on', async () => {
    const lane = new Lane('failing');
    await assert.rejects(
      lane.run(() => Promise.reject(new Error('EIO'))),
      /EIO/,
    );
    assert.equal(await lane.run(async () => 'next'), 'next');
  });
});
