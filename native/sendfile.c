/*
 * sockftp's optional zero-copy sender: sendfile(2) from a file descriptor to
 * a non-blocking socket, called on the event loop (src/server/zeroCopy.ts).
 *
 * Why on the event loop and not in libuv's thread pool: a blocking sendfile
 * there holds one of the pool's 4 threads for a whole transfer, so 200
 * downloads would queue behind 4. A non-blocking sendfile (as pyftpdlib and
 * nginx do) returns as soon as the socket's send buffer is full; the caller
 * then waits for writability and calls again. That wait is done in
 * JavaScript, through Node's own handle (see zeroCopy.ts), so this file
 * needs only Node-API and no libuv headers, and Node's socket stays the one
 * owner of the descriptor (its close sends the FIN as usual).
 *
 * It also reads directories for listings (readdirStat, below: getdents64
 * and fstatat in libuv's thread pool), fixes glibc's mmap threshold, and
 * tells storage/local/systemCalls.ts when the mounts changed (mountsChanged) and
 * whether a path has a symlink on it (noSymlinks).
 *
 * Linux only (the build script skips other systems): sendfile's signature
 * differs on the BSDs and macOS.
 */
/* O_PATH (noSymlinks). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <node_api.h>

/* Most bytes one sendfile(2) call is asked for (Linux caps a call near 2 GiB anyway). */
#define MAX_CALL (16 * 1024 * 1024)

static int args(napi_env env, napi_callback_info info, size_t want, double *out) {
  napi_value argv[4];
  size_t argc = 4;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return 0;
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) return 0;
  }
  return 1;
}

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

/*
 * sendfile(socketFd, fileFd, offset, count): sends up to `count` bytes of the
 * file from `offset`, until the socket is full. Returns the bytes sent (> 0),
 * 0 at end of file, or a negative errno (-EAGAIN: the socket is full and
 * nothing was sent). Never throws for a system error: the caller names it.
 */
static napi_value Sendfile(napi_env env, napi_callback_info info) {
  double a[4];
  if (!args(env, info, 4, a) || a[2] < 0 || a[3] < 0) {
    napi_throw_type_error(env, NULL, "sendfile(socketFd, fileFd, offset, count) takes four non-negative numbers");
    return NULL;
  }
  int out = (int)a[0], in = (int)a[1];
  off_t offset = (off_t)a[2];
  double left = a[3], total = 0;
  while (left > 0) {
    size_t ask = left > MAX_CALL ? MAX_CALL : (size_t)left;
    ssize_t n = sendfile(out, in, &offset, ask);
    if (n > 0) {
      total += (double)n;
      left -= (double)n;
      continue;
    }
    if (n == 0) break; /* end of file */
    if (errno == EINTR) continue;
    if (total > 0) break; /* report what was sent; the next call meets the error again */
    return number(env, -(double)errno);
  }
  return number(env, total);
}

/* nonblock(fd): sets O_NONBLOCK (libuv's TCP sockets have it already); returns 0 or a negative errno. */
static napi_value Nonblock(napi_env env, napi_callback_info info) {
  double a[1];
  if (!args(env, info, 1, a)) {
    napi_throw_type_error(env, NULL, "nonblock(fd) takes a number");
    return NULL;
  }
  int fd = (int)a[0];
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || ((flags & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) return number(env, -(double)errno);
  return number(env, 0);
}

/*
 * fixMmapThreshold(bytes): blocks of `bytes` and more are mmap()ed and given
 * back to the kernel when freed. glibc's threshold is dynamic by default: the
 * first large block freed raises it to that block's size, and from then on
 * each libuv thread keeps scrypt's 16 MiB (one per login hash) in its own
 * arena for good, 64 MiB with the pool's 4 threads. Setting it once turns
 * the dynamic rule off. Returns 1 if set, 0 where the libc has no mallopt.
 */
static napi_value FixMmapThreshold(napi_env env, napi_callback_info info) {
  double a[1];
  if (!args(env, info, 1, a)) {
    napi_throw_type_error(env, NULL, "fixMmapThreshold(bytes)");
    return NULL;
  }
#ifdef __GLIBC__
  return number(env, mallopt(M_MMAP_THRESHOLD, (int)a[0]) == 1 ? 1 : 0);
#else
  return number(env, 0);
#endif
}

/* sndbuf(fd, bytes): sets SO_SNDBUF (which turns the kernel's autotuning off for that socket); returns 0 or a negative errno. */
static napi_value Sndbuf(napi_env env, napi_callback_info info) {
  double a[2];
  if (!args(env, info, 2, a) || a[1] < 0) {
    napi_throw_type_error(env, NULL, "sndbuf(fd, bytes) takes two non-negative numbers");
    return NULL;
  }
  int bytes = (int)a[1];
  return number(env, setsockopt((int)a[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) == 0 ? 0 : -(double)errno);
}

/* The numbers readdirStat gives for each entry, in this order (src/storage/local/entryStats.ts reads them). */
enum { AT_MODE, AT_SIZE, AT_MTIME_MS, AT_DEV, AT_INO, AT_FIELDS };

/* Bytes of directory entries one readdirStat call asks getdents64 for: a few hundred names. */
#define DIRENT_BYTES (16 * 1024)
/* The most entries DIRENT_BYTES can hold (the smallest linux_dirent64 record is 24 bytes). */
#define MAX_ENTRIES (DIRENT_BYTES / 24)

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/* One readdirStat call: what a thread-pool thread reads, and what the event loop turns into values. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  long got;       /* bytes getdents64 returned, or a negative errno */
  uint32_t count; /* entries other than "." and ".." */
  uint16_t nameAt[MAX_ENTRIES];
  double fields[MAX_ENTRIES * AT_FIELDS];
  char dirents[DIRENT_BYTES] __attribute__((aligned(8)));
} ReadJob;

/* In a thread-pool thread: one getdents64(2), then fstatat(2) of each name. No JavaScript values here. */
static void ReadExecute(napi_env env, void *data) {
  (void)env;
  ReadJob *job = data;
  do job->got = syscall(SYS_getdents64, job->fd, job->dirents, sizeof job->dirents);
  while (job->got < 0 && errno == EINTR);
  if (job->got < 0) {
    job->got = -errno;
    return;
  }
  for (long at = 0; at < job->got;) {
    struct linux_dirent64 *entry = (struct linux_dirent64 *)(job->dirents + at);
    const char *name = entry->d_name;
    uint16_t nameAt = (uint16_t)(name - job->dirents);
    at += entry->d_reclen;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    double *fields = job->fields + (size_t)job->count * AT_FIELDS;
    struct stat st;
    if (fstatat(job->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      fields[AT_MODE] = -(double)errno;
    } else {
      fields[AT_MODE] = (double)st.st_mode;
      fields[AT_SIZE] = (double)st.st_size;
      fields[AT_MTIME_MS] = (double)st.st_mtim.tv_sec * 1e3 + (double)st.st_mtim.tv_nsec / 1e6;
      fields[AT_DEV] = (double)st.st_dev;
      fields[AT_INO] = (double)st.st_ino;
    }
    job->nameAt[job->count++] = nameAt;
  }
}

/* On the event loop: resolves with null (the end), a negative errno, or [names, Float64Array of their stats]. */
static void ReadComplete(napi_env env, napi_status status, void *data) {
  ReadJob *job = data;
  napi_value result;
  if (status != napi_ok) {
    napi_create_string_utf8(env, "readdirStat was cancelled", NAPI_AUTO_LENGTH, &result);
    napi_value error;
    napi_create_error(env, NULL, result, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else if (job->got <= 0) {
    if (job->got == 0) napi_get_null(env, &result);
    else napi_create_double(env, (double)job->got, &result);
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value names, buffer, stats, text;
    void *bytes;
    napi_create_array_with_length(env, job->count, &names);
    for (uint32_t i = 0; i < job->count; i++) {
      napi_create_string_utf8(env, job->dirents + job->nameAt[i], NAPI_AUTO_LENGTH, &text);
      napi_set_element(env, names, i, text);
    }
    size_t length = (size_t)job->count * AT_FIELDS;
    napi_create_arraybuffer(env, length * sizeof(double), &bytes, &buffer);
    memcpy(bytes, job->fields, length * sizeof(double));
    napi_create_typedarray(env, napi_float64_array, length, buffer, 0, &stats);
    napi_create_array_with_length(env, 2, &result);
    napi_set_element(env, result, 0, names);
    napi_set_element(env, result, 1, stats);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

/*
 * readdirStat(dirFd): a promise of the next entries of the directory open on
 * dirFd (one getdents64(2) call, from the descriptor's own position, so calls
 * in turn walk the directory), "." and ".." left out, with fstatat(dirFd,
 * name, AT_SYMLINK_NOFOLLOW) of each, both in libuv's thread pool. It
 * resolves with [names, stats]: AT_FIELDS numbers per name in a
 * Float64Array, the mode a negative errno where the stat failed; with null
 * at the end; with a negative errno if getdents64 failed. Calls at once on
 * one descriptor each get entries of their own (getdents64 holds the file's
 * position lock); it must stay open until they settle.
 *
 * Why: from JavaScript, a listing's readdir and lstat of
 * "/proc/self/fd/N/name" (procfs resolves the link each time) cost 6-8 us
 * an entry, 10,000 entries 60-80 ms on the event loop; the two system calls
 * alone are about 1.5-2 us here. In the pool they also run beside the
 * formatting and sending of the batch before, and no other session waits.
 */
static napi_value ReaddirStat(napi_env env, napi_callback_info info) {
  napi_value argv[1], promise, name;
  size_t argc = 1;
  double dirFd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_double(env, argv[0], &dirFd) != napi_ok) {
    napi_throw_type_error(env, NULL, "readdirStat(dirFd) takes a descriptor");
    return NULL;
  }
  ReadJob *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, "ENOMEM", "readdirStat: out of memory");
    return NULL;
  }
  job->fd = (int)dirFd;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "sockftp:readdirStat", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, ReadExecute, ReadComplete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/*
 * mountsChanged(fd): 1 if the mount table changed since the last call on fd,
 * an open /proc/self/mountinfo (proc(5): the kernel marks it POLLPRI and
 * POLLERR after a mount or an unmount, until the next poll); 0 if not; a
 * negative errno if poll(2) failed. Never waits.
 *
 * Why: storage/local/mounts.ts must know at once when a mount appears under a
 * served directory (calls into a network or FUSE mount leave the event
 * loop), and reading the table again on every call would cost about 80 us;
 * this poll costs one system call.
 */
static napi_value MountsChanged(napi_env env, napi_callback_info info) {
  double a[1];
  if (!args(env, info, 1, a)) {
    napi_throw_type_error(env, NULL, "mountsChanged(fd) takes a descriptor");
    return NULL;
  }
  struct pollfd watched = {.fd = (int)a[0], .events = POLLPRI};
  int n;
  do n = poll(&watched, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return number(env, -(double)errno);
  return number(env, n > 0 && (watched.revents & (POLLPRI | POLLERR)) ? 1 : 0);
}

/* openat2(2)'s argument, and its flag, where the headers predate them (Linux 5.6). */
#if defined(__has_include) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
struct open_how {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};
#define RESOLVE_NO_SYMLINKS 0x04
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/*
 * noSymlinks(path): 1 if `path` (absolute) resolves without following a
 * symlink; 0 if a symlink is on it; a negative errno if resolving it failed
 * before any symlink (ENOENT, ENOTDIR, EACCES), or if the kernel has no
 * openat2 (ENOSYS; Linux 5.6) or a sandbox forbids it. One openat2 with
 * O_PATH and RESOLVE_NO_SYMLINKS, which looks the names up and opens
 * nothing, then a close.
 *
 * Why: a path's name says which mount it ends on only if no symlink leads
 * elsewhere. Asking each component with lstat from JavaScript cost 18 us a
 * small RETR here, this one call a fraction of that. The caller has checked
 * that no mount point on the path is a mount that may not answer, so every
 * lookup made here is on a filesystem that answers.
 */
static napi_value NoSymlinks(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1, length;
  char path[PATH_MAX];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "noSymlinks(path) takes a string");
    return NULL;
  }
  if (length >= sizeof path - 1) return number(env, -(double)ENAMETOOLONG);
  struct open_how how = {.flags = O_PATH | O_CLOEXEC, .mode = 0, .resolve = RESOLVE_NO_SYMLINKS};
  long fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (fd >= 0) {
    close((int)fd);
    return number(env, 1);
  }
  return number(env, errno == ELOOP ? 0 : -(double)errno);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sendfile", NULL, Sendfile, NULL, NULL, NULL, napi_enumerable, NULL},
    {"nonblock", NULL, Nonblock, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sndbuf", NULL, Sndbuf, NULL, NULL, NULL, napi_enumerable, NULL},
    {"fixMmapThreshold", NULL, FixMmapThreshold, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readdirStat", NULL, ReaddirStat, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mountsChanged", NULL, MountsChanged, NULL, NULL, NULL, napi_enumerable, NULL},
    {"noSymlinks", NULL, NoSymlinks, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
