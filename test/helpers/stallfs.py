#!/usr/bin/python3
"""A passthrough FUSE filesystem that stops answering on demand.

usage: stallfs.py BACKING MOUNTPOINT

Serves BACKING at MOUNTPOINT (fusepy, libfuse 2) and prints "ready" once the
kernel has mounted it. It then reads commands on standard input, one a line:
"stall" makes every operation that starts from then on block, as on a hung
NFS server or a FUSE daemon stuck on its network; "release" lets them all go
on. Each is answered with "stalled" or "released" once it applies, so a test
can wait for the line instead of sleeping. While stalled, each operation
that blocks says so first ("waiting getattr /big.bin"), so a test knows its
call reached the filesystem. The end of standard input releases the stall. The mount is the caller's to unmount (fusermount3 -u -z,
or umount -l as root), which also ends this process.

Caching in the kernel is off (attributes, entries, negative lookups and, with
direct_io, file data): every stat, lookup and read of the mount reaches this
process, so a stall is met at once and not after a cache expires.
"""
import errno
import os
import sys
import threading

try:
    from fusepy import FUSE, FuseOSError, Operations  # Debian's python3-fusepy
except ImportError:
    from fuse import FUSE, FuseOSError, Operations  # fusepy from PyPI


class StallFS(Operations):
    def __init__(self, backing):
        self.backing = os.path.realpath(backing)
        # Set: operations run. Cleared: they wait at their start.
        self.flowing = threading.Event()
        self.flowing.set()

    def __call__(self, op, path, *args):
        if not self.flowing.is_set():
            say('waiting %s %s' % (op, path))
            self.flowing.wait()
        return super().__call__(op, path, *args)

    def real(self, path):
        return os.path.join(self.backing, path.lstrip('/'))

    def init(self, path):
        say('ready')

    def getattr(self, path, fh=None):
        st = os.lstat(self.real(path)) if fh is None else os.fstat(fh)
        keys = ('st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_size', 'st_atime', 'st_mtime', 'st_ctime')
        return {key: getattr(st, key) for key in keys}

    def readdir(self, path, fh):
        return ['.', '..', *os.listdir(self.real(path))]

    def readlink(self, path):
        return os.readlink(self.real(path))

    def access(self, path, mode):
        if not os.access(self.real(path), mode):
            raise FuseOSError(errno.EACCES)

    def statfs(self, path):
        st = os.statvfs(self.real(path))
        keys = ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')
        return {key: getattr(st, key) for key in keys}

    def open(self, path, flags):
        return os.open(self.real(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self.real(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        if fh is None:
            os.truncate(self.real(path), length)
        else:
            os.ftruncate(fh, length)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        os.fsync(fh)

    def release(self, path, fh):
        os.close(fh)

    def unlink(self, path):
        os.unlink(self.real(path))

    def mkdir(self, path, mode):
        os.mkdir(self.real(path), mode)

    def rmdir(self, path):
        os.rmdir(self.real(path))

    def rename(self, old, new):
        os.rename(self.real(old), self.real(new))

    def link(self, target, source):
        os.link(self.real(source), self.real(target))

    def symlink(self, target, source):
        os.symlink(source, self.real(target))

    def chmod(self, path, mode):
        os.chmod(self.real(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self.real(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self.real(path), times)


speaking = threading.Lock()


def say(line):
    with speaking:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def control(fs):
    for line in sys.stdin:
        command = line.strip()
        if command == 'stall':
            fs.flowing.clear()
            say('stalled')
        elif command == 'release':
            fs.flowing.set()
            say('released')
    # Whoever drove us is gone: nothing may stay blocked on our account.
    fs.flowing.set()


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: stallfs.py BACKING MOUNTPOINT')
    fs = StallFS(sys.argv[1])
    threading.Thread(target=control, args=(fs,), daemon=True).start()
    FUSE(
        fs,
        sys.argv[2],
        foreground=True,
        nothreads=False,
        fsname='stallfs',
        subtype='stallfs',
        attr_timeout=0,
        entry_timeout=0,
        negative_timeout=0,
        direct_io=True,
    )


if __name__ == '__main__':
    main()
